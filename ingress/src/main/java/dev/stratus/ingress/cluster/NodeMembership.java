package dev.stratus.ingress.cluster;

import dev.stratus.state.NodeRegistry;
import dev.stratus.state.RouteStore;
import dev.stratus.state.model.TenantId;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * This node's membership of the cluster: a heartbeat every interval, with a TTL; and the cleanup of nodes whose
 * heartbeat stopped (one surviving node claims each dead node and takes its routes out of the table). When a
 * heartbeat fails (Redis unreachable) the node reports itself not ready; when it succeeds again, or finds that it
 * had expired meanwhile (so others may have removed its routes), it registers its routes again.
 */
final class NodeMembership implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NodeMembership.class);

    private final Vertx vertx;
    private final NodeRegistry registry;
    private final RouteStore routes;
    private final TenantId tenant;
    private final String nodeId;
    private final Duration interval;
    private final Duration ttl;
    private final Supplier<CompletionStage<Void>> reassertRoutes;
    private final java.util.function.Function<String, CompletionStage<Void>> onDeadNode;
    private volatile boolean healthy;
    private volatile long lastSuccessNanos;
    private long timer = -1;
    private volatile boolean closed;

    NodeMembership(Vertx vertx, NodeRegistry registry, RouteStore routes, TenantId tenant, String nodeId,
                   Duration interval, Duration ttl, Supplier<CompletionStage<Void>> reassertRoutes,
                   java.util.function.Function<String, CompletionStage<Void>> onDeadNode) {
        this.vertx = vertx;
        this.registry = registry;
        this.routes = routes;
        this.tenant = tenant;
        this.nodeId = nodeId;
        this.interval = interval;
        this.ttl = ttl;
        this.reassertRoutes = reassertRoutes;
        this.onDeadNode = onDeadNode;
    }

    CompletionStage<Void> start() {
        CompletionStage<Void> first = registry.heartbeat(nodeId, ttl).thenAccept(wasLive -> {
            healthy = true;
            lastSuccessNanos = System.nanoTime();
        });
        timer = vertx.setPeriodic(interval.toMillis(), id -> tick());
        return first;
    }

    /** Whether the last heartbeat reached Redis within the TTL. */
    boolean isHealthy() {
        return healthy && System.nanoTime() - lastSuccessNanos < ttl.toNanos();
    }

    private void tick() {
        if (closed) {
            return;
        }
        registry.heartbeat(nodeId, ttl).whenComplete((wasLive, error) -> {
            if (error != null) {
                if (healthy) {
                    LOG.warnf("node %s: Redis unreachable (%s); not ready, serving local clients", nodeId,
                            error.getMessage());
                }
                healthy = false;
                return;
            }
            boolean recovered = !healthy;
            lastSuccessNanos = System.nanoTime();
            if (recovered || !wasLive) {
                LOG.infof("node %s: Redis reachable again%s; registering routes again", nodeId,
                        wasLive ? "" : " (this node had expired)");
                reassertRoutes.get().whenComplete((v, e) -> healthy = e == null);
            } else {
                healthy = true;
            }
            cleanUpDeadNodes();
        });
    }

    private void cleanUpDeadNodes() {
        registry.expiredNodes().thenAccept(dead -> {
            for (String node : dead) {
                if (node.equals(nodeId)) {
                    continue;
                }
                registry.claimCleanup(node, nodeId, ttl.multipliedBy(2)).thenCompose(claimed -> {
                    if (!claimed) {
                        return CompletableFuture.completedFuture(null);
                    }
                    LOG.infof("node %s: node %s stopped its heartbeat; publishing its clients' wills, removing its routes",
                            nodeId, node);
                    return onDeadNode.apply(node)
                            .thenCompose(v -> routes.removeNode(tenant, node))
                            .thenCompose(n -> registry.forget(node, nodeId));
                }).whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.debugf("cleanup of node %s failed: %s", node, e.getMessage());
                    }
                });
            }
        });
    }

    /** Stops heartbeating without deregistering (as a crash would). */
    void halt() {
        closed = true;
        healthy = false;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    @Override
    public void close() {
        halt();
        registry.deregister(nodeId);
    }
}
