package dev.stratus.ingress.cluster;

import dev.stratus.state.RouteStore;
import dev.stratus.state.model.TenantId;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Registers this node's routes in the cluster's route table: {@code filter -> this node} when the node gets its
 * first subscriber of a filter, removed with the last. Calls for one filter are chained, so that an add and a
 * remove in quick succession reach Redis in that order. A call that fails (Redis unreachable) does not fail the
 * subscription: local subscribers are served meanwhile, and {@link #reassert} registers everything again once Redis
 * is back (the membership loop calls it).
 */
final class RouteRegistrar {

    private static final Logger LOG = Logger.getLogger(RouteRegistrar.class);

    private final RouteStore routes;
    private final TenantId tenant;
    private final String nodeId;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();
    private volatile boolean dirty;

    RouteRegistrar(RouteStore routes, TenantId tenant, String nodeId) {
        this.routes = routes;
        this.tenant = tenant;
        this.nodeId = nodeId;
    }

    CompletionStage<Void> add(String filter) {
        return chain(filter, () -> routes.addRoute(tenant, filter, nodeId));
    }

    void remove(String filter) {
        chain(filter, () -> routes.removeRoute(tenant, filter, nodeId));
    }

    /** Whether a registration failed since the last successful {@link #reassert}. */
    boolean isDirty() {
        return dirty;
    }

    /** Registers every filter of {@code current} again (after Redis was unreachable, or this node was expired). */
    CompletionStage<Void> reassert(Set<String> current) {
        dirty = false;
        CompletableFuture<?>[] all = current.stream().map(f -> add(f).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all);
    }

    private CompletionStage<Void> chain(String filter, Supplier<CompletionStage<Boolean>> call) {
        CompletableFuture<Void> next = new CompletableFuture<>();
        CompletableFuture<Void> previous = tails.put(filter, next);
        CompletionStage<Void> start = previous == null ? CompletableFuture.completedFuture(null) : previous;
        start.whenComplete((v, e) -> call.get().whenComplete((changed, error) -> {
            if (error != null) {
                dirty = true;
                LOG.warnf("route %s for %s not registered: %s; will retry when Redis is back", filter, nodeId,
                        error.getMessage());
            }
            tails.remove(filter, next);
            next.complete(null);
        }));
        return next;
    }
}
