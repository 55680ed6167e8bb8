package dev.stratus.state;

import dev.stratus.state.model.RouteChange;
import dev.stratus.state.model.RouteSnapshot;
import dev.stratus.state.model.TenantId;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A node's local copy of one tenant's route table, kept current from a {@link RouteStore}'s change feed.
 * <p>
 * Synchronisation: {@link #start} subscribes first and takes the snapshot second; changes that arrive while a
 * snapshot is being loaded wait in a buffer ordered by version. Once the snapshot is in, buffered changes at or
 * below its version are dropped and the following ones applied in order. A live change more than one version ahead
 * (a gap: a change was lost) waits in the buffer and triggers a new snapshot; so does
 * {@link RouteListener#onResync} (the feed reconnected and may have missed changes). The latest snapshot always
 * wins, even with a lower version than the replica's, because the store may have lost its data (a Redis restart
 * without persistence). So the replica converges to the store's table whatever was lost, as long as the feed and
 * snapshots work again eventually.
 * <p>
 * Thread-safe: changes, snapshots and reads are serialised on the replica's monitor (all short).
 */
public final class RouteReplica implements RouteListener, AutoCloseable {

    private final RouteStore store;
    private final TenantId tenant;
    private final Map<String, Set<String>> routes = new HashMap<>();
    private final TreeMap<Long, RouteChange> waiting = new TreeMap<>();
    private long version = -1;
    private int snapshotsInFlight;
    private long snapshotsStarted;
    private long loadedSnapshot;
    private RouteFeed feed;

    /** Told of every route the replica gains or loses, under the replica's lock, in order; must not block. */
    public interface Observer {
        void added(String filter, String nodeId);

        void removed(String filter, String nodeId);
    }

    private static final Observer NONE = new Observer() {
        @Override
        public void added(String filter, String nodeId) {
        }

        @Override
        public void removed(String filter, String nodeId) {
        }
    };

    private final Observer observer;

    private RouteReplica(RouteStore store, TenantId tenant, Observer observer) {
        this.store = Objects.requireNonNull(store, "store");
        this.tenant = Objects.requireNonNull(tenant, "tenant");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /** Subscribes to the tenant's changes, then loads the snapshot; completes when the replica is current. */
    public static CompletionStage<RouteReplica> start(RouteStore store, TenantId tenant) {
        return start(store, tenant, NONE);
    }

    /**
     * As {@link #start(RouteStore, TenantId)}, telling {@code observer} of each route added or removed (a new
     * snapshot is told as the difference to what the replica had), so that it can keep its own index, e.g. a trie
     * for matching topics.
     */
    public static CompletionStage<RouteReplica> start(RouteStore store, TenantId tenant, Observer observer) {
        RouteReplica replica = new RouteReplica(store, tenant, observer);
        return store.watch(tenant, replica)
                .thenCompose(feed -> {
                    replica.setFeed(feed);
                    return replica.resync();
                })
                .thenApply(v -> replica);
    }

    /** The nodes that have subscribers of {@code filter}; empty when none. */
    public synchronized Set<String> nodes(String filter) {
        Set<String> nodes = routes.get(filter);
        return nodes == null ? Set.of() : Set.copyOf(nodes);
    }

    /** A copy of the whole table. */
    public synchronized Map<String, Set<String>> routes() {
        Map<String, Set<String>> copy = new HashMap<>();
        routes.forEach((filter, nodes) -> copy.put(filter, Set.copyOf(nodes)));
        return Map.copyOf(copy);
    }

    /** The version of the store's table this replica reflects; -1 before the first snapshot. */
    public synchronized long version() {
        return version;
    }

    @Override
    public void onChange(RouteChange change) {
        boolean gap;
        synchronized (this) {
            if (!change.tenant().equals(tenant) || change.version() <= version) {
                return;
            }
            waiting.put(change.version(), change);
            if (snapshotsInFlight > 0) {
                return; // applied once the snapshot is in
            }
            applyWaiting();
            gap = !waiting.isEmpty();
        }
        if (gap) {
            resync();
        }
    }

    @Override
    public void onResync(TenantId ignored) {
        resync();
    }

    /** Loads a new snapshot and applies the changes that arrived meanwhile. */
    public CompletionStage<Void> resync() {
        long number;
        synchronized (this) {
            snapshotsInFlight++;
            number = ++snapshotsStarted;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        store.snapshot(tenant).whenComplete((snapshot, error) -> {
            synchronized (this) {
                snapshotsInFlight--;
                if (error == null && number > loadedSnapshot) {
                    loadedSnapshot = number;
                    load(snapshot);
                }
                if (snapshotsInFlight == 0) {
                    applyWaiting();
                }
            }
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(error);
            }
        });
        return done;
    }

    @Override
    public void close() {
        RouteFeed current;
        synchronized (this) {
            current = feed;
        }
        if (current != null) {
            current.close();
        }
    }

    private synchronized void setFeed(RouteFeed feed) {
        this.feed = feed;
    }

    private void load(RouteSnapshot snapshot) {
        routes.forEach((filter, nodes) -> {
            Set<String> now = snapshot.routes().getOrDefault(filter, Set.of());
            for (String node : nodes) {
                if (!now.contains(node)) {
                    observer.removed(filter, node);
                }
            }
        });
        snapshot.routes().forEach((filter, nodes) -> {
            Set<String> before = routes.getOrDefault(filter, Set.of());
            for (String node : nodes) {
                if (!before.contains(node)) {
                    observer.added(filter, node);
                }
            }
        });
        routes.clear();
        snapshot.routes().forEach((filter, nodes) -> routes.put(filter, new HashSet<>(nodes)));
        version = snapshot.version();
    }

    /** Applies the waiting changes that follow on from the current version; keeps those after a gap. */
    private void applyWaiting() {
        if (version < 0) {
            return;
        }
        waiting.headMap(version, true).clear();
        RouteChange next;
        while ((next = waiting.remove(version + 1)) != null) {
            apply(next);
        }
    }

    private void apply(RouteChange change) {
        if (change.added()) {
            if (routes.computeIfAbsent(change.filter(), f -> new HashSet<>()).add(change.nodeId())) {
                observer.added(change.filter(), change.nodeId());
            }
        } else {
            Set<String> nodes = routes.get(change.filter());
            if (nodes != null && nodes.remove(change.nodeId())) {
                observer.removed(change.filter(), change.nodeId());
                if (nodes.isEmpty()) {
                    routes.remove(change.filter());
                }
            }
        }
        version = change.version();
    }
}
