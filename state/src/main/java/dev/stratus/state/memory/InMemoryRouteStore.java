package dev.stratus.state.memory;

import dev.stratus.state.RouteFeed;
import dev.stratus.state.RouteListener;
import dev.stratus.state.RouteStore;
import dev.stratus.state.model.RouteChange;
import dev.stratus.state.model.RouteSnapshot;
import dev.stratus.state.model.TenantId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Route tables of one process (the embedded broker, and tests of cluster logic in one JVM). Each tenant's table,
 * version and listeners are guarded by the table's monitor; listeners are called inside it, on the thread that made
 * the change, so they see changes one at a time in version order.
 */
public final class InMemoryRouteStore implements RouteStore {

    private final ConcurrentHashMap<TenantId, Table> tables = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Boolean> addRoute(TenantId tenant, String filter, String nodeId) {
        return change(tenant, filter, nodeId, true);
    }

    @Override
    public CompletionStage<Boolean> removeRoute(TenantId tenant, String filter, String nodeId) {
        return change(tenant, filter, nodeId, false);
    }

    @Override
    public CompletionStage<Integer> removeNode(TenantId tenant, String nodeId) {
        Objects.requireNonNull(tenant, "tenant");
        RouteStore.checkNodeId(nodeId);
        Table table = table(tenant);
        int removed = 0;
        synchronized (table) {
            for (String filter : new ArrayList<>(table.routes.keySet())) {
                if (table.change(tenant, filter, nodeId, false)) {
                    removed++;
                }
            }
        }
        return CompletableFuture.completedFuture(removed);
    }

    @Override
    public CompletionStage<RouteSnapshot> snapshot(TenantId tenant) {
        Objects.requireNonNull(tenant, "tenant");
        Table table = table(tenant);
        synchronized (table) {
            return CompletableFuture.completedFuture(new RouteSnapshot(tenant, table.version, table.routes));
        }
    }

    @Override
    public CompletionStage<RouteFeed> watch(TenantId tenant, RouteListener listener) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(listener, "listener");
        Table table = table(tenant);
        table.listeners.add(listener);
        return CompletableFuture.completedFuture(() -> table.listeners.remove(listener));
    }

    @Override
    public void close() {
        tables.values().forEach(table -> table.listeners.clear());
    }

    private CompletionStage<Boolean> change(TenantId tenant, String filter, String nodeId, boolean add) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(filter, "filter");
        RouteStore.checkNodeId(nodeId);
        Table table = table(tenant);
        synchronized (table) {
            return CompletableFuture.completedFuture(table.change(tenant, filter, nodeId, add));
        }
    }

    private Table table(TenantId tenant) {
        return tables.computeIfAbsent(tenant, t -> new Table());
    }

    /** One tenant's table; mutable state guarded by its monitor. */
    private static final class Table {
        final Map<String, Set<String>> routes = new HashMap<>();
        final List<RouteListener> listeners = new CopyOnWriteArrayList<>();
        long version;

        /** Must hold the monitor. */
        boolean change(TenantId tenant, String filter, String nodeId, boolean add) {
            boolean changed;
            if (add) {
                changed = routes.computeIfAbsent(filter, f -> new HashSet<>()).add(nodeId);
            } else {
                Set<String> nodes = routes.get(filter);
                changed = nodes != null && nodes.remove(nodeId);
                if (nodes != null && nodes.isEmpty()) {
                    routes.remove(filter);
                }
            }
            if (changed) {
                version++;
                RouteChange event = new RouteChange(tenant, version, filter, nodeId, add);
                for (RouteListener listener : listeners) {
                    listener.onChange(event);
                }
            }
            return changed;
        }
    }
}
