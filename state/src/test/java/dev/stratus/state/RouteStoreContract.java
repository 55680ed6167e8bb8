package dev.stratus.state;

import dev.stratus.state.model.RouteChange;
import dev.stratus.state.model.RouteSnapshot;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.newTenant;
import static dev.stratus.state.ContractSupport.runConcurrently;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The behaviour every {@link RouteStore} backend must have. Extend it once per backend. */
public abstract class RouteStoreContract {

    /** How long a change may take to reach a feed. */
    protected static final Duration DELIVERY = Duration.ofSeconds(5);

    protected RouteStore store;
    protected TenantId tenant;

    /** A store for one test, closed after it. It may share its backend with other tests. */
    protected abstract RouteStore createStore();

    @BeforeEach
    void setUpStore() {
        store = createStore();
        tenant = newTenant();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** Records what a feed delivers. */
    public static final class Recorder implements RouteListener {
        public final List<RouteChange> changes = new CopyOnWriteArrayList<>();
        public final AtomicInteger resyncs = new AtomicInteger();

        @Override
        public void onChange(RouteChange change) {
            changes.add(change);
        }

        @Override
        public void onResync(TenantId tenant) {
            resyncs.incrementAndGet();
        }
    }

    private Map<String, Set<String>> routes() {
        return join(store.snapshot(tenant)).routes();
    }

    @Test
    void unknownTenantHasAnEmptyTableAtVersionZero() {
        RouteSnapshot snapshot = join(store.snapshot(tenant));

        assertThat(snapshot.routes()).isEmpty();
        assertThat(snapshot.version()).isZero();
        assertThat(join(store.removeRoute(tenant, "a", "n1"))).isFalse();
        assertThat(join(store.removeNode(tenant, "n1"))).isZero();
    }

    @Test
    void addRouteReportsWhetherTheSetChanged() {
        assertThat(join(store.addRoute(tenant, "a/+", "n1"))).isTrue();
        assertThat(join(store.addRoute(tenant, "a/+", "n1"))).isFalse();
        assertThat(join(store.addRoute(tenant, "a/+", "n2"))).isTrue();
        assertThat(join(store.addRoute(tenant, "b", "n1"))).isTrue();

        assertThat(routes()).isEqualTo(Map.of("a/+", Set.of("n1", "n2"), "b", Set.of("n1")));
    }

    @Test
    void removeRouteReportsWhetherTheSetChangedAndDropsEmptiedFilters() {
        join(store.addRoute(tenant, "a", "n1"));
        join(store.addRoute(tenant, "a", "n2"));

        assertThat(join(store.removeRoute(tenant, "a", "n1"))).isTrue();
        assertThat(join(store.removeRoute(tenant, "a", "n1"))).isFalse();
        assertThat(routes()).isEqualTo(Map.of("a", Set.of("n2")));

        join(store.removeRoute(tenant, "a", "n2"));
        assertThat(routes()).isEmpty();
    }

    @Test
    void versionCountsOnlyChanges() {
        join(store.addRoute(tenant, "a", "n1"));
        join(store.addRoute(tenant, "a", "n1"));
        join(store.addRoute(tenant, "b", "n1"));
        join(store.removeRoute(tenant, "c", "n1"));
        join(store.removeRoute(tenant, "a", "n1"));

        assertThat(join(store.snapshot(tenant)).version()).isEqualTo(3);
    }

    @Test
    void removeNodeRemovesItFromEveryFilterOfTheTenant() {
        TenantId other = newTenant();
        join(store.addRoute(tenant, "a", "dead"));
        join(store.addRoute(tenant, "b", "dead"));
        join(store.addRoute(tenant, "b", "alive"));
        join(store.addRoute(tenant, "c", "dead-not"));
        join(store.addRoute(other, "a", "dead"));

        assertThat(join(store.removeNode(tenant, "dead"))).isEqualTo(2);

        assertThat(routes()).isEqualTo(Map.of("b", Set.of("alive"), "c", Set.of("dead-not")));
        assertThat(join(store.snapshot(tenant)).version()).isEqualTo(6);
        assertThat(join(store.snapshot(other)).routes()).isEqualTo(Map.of("a", Set.of("dead")));
    }

    @Test
    void filtersAndNodeIdsKeepEveryCharacter() {
        Map<String, Set<String>> expected = Map.of(
                "$share/g/a/+/#", Set.of("node:1{x}"),
                "ü/€/😀", Set.of("n%2"),
                "/", Set.of("n\n3"));
        expected.forEach((filter, nodes) -> nodes.forEach(node -> join(store.addRoute(tenant, filter, node))));

        assertThat(routes()).isEqualTo(expected);
    }

    @Test
    void tenantsAreIsolated() {
        TenantId other = newTenant();
        join(store.addRoute(tenant, "a", "n1"));

        assertThat(join(store.snapshot(other)).routes()).isEmpty();
        assertThat(join(store.removeRoute(other, "a", "n1"))).isFalse();
        assertThat(join(store.addRoute(other, "a", "n1"))).isTrue();
        assertThat(join(store.snapshot(tenant)).version()).isEqualTo(1);
    }

    @Test
    void watchDeliversEveryChangeInVersionOrder() {
        join(store.addRoute(tenant, "before", "n1"));
        Recorder recorder = new Recorder();
        try (RouteFeed feed = join(store.watch(tenant, recorder))) {
            join(store.addRoute(tenant, "a", "n1"));
            join(store.addRoute(tenant, "a", "n1"));
            join(store.addRoute(tenant, "a", "n2"));
            join(store.removeRoute(tenant, "a", "n1"));
            join(store.removeNode(tenant, "n2"));

            await().atMost(DELIVERY).untilAsserted(() -> assertThat(recorder.changes).hasSize(4));
            assertThat(recorder.changes).containsExactly(
                    new RouteChange(tenant, 2, "a", "n1", true),
                    new RouteChange(tenant, 3, "a", "n2", true),
                    new RouteChange(tenant, 4, "a", "n1", false),
                    new RouteChange(tenant, 5, "a", "n2", false));
        }
    }

    @Test
    void watchSeesOnlyItsTenant() {
        TenantId other = newTenant();
        Recorder recorder = new Recorder();
        try (RouteFeed feed = join(store.watch(other, recorder))) {
            join(store.addRoute(tenant, "a", "n1"));
            join(store.addRoute(other, "b", "n1"));

            await().atMost(DELIVERY).untilAsserted(() -> assertThat(recorder.changes).isNotEmpty());
            assertThat(recorder.changes).containsExactly(new RouteChange(other, 1, "b", "n1", true));
        }
    }

    @Test
    void closedFeedStopsDelivering() {
        Recorder closed = new Recorder();
        Recorder open = new Recorder();
        RouteFeed closedFeed = join(store.watch(tenant, closed));
        try (RouteFeed openFeed = join(store.watch(tenant, open))) {
            join(store.addRoute(tenant, "a", "n1"));
            await().atMost(DELIVERY).untilAsserted(() -> assertThat(closed.changes).hasSize(1));

            closedFeed.close();
            closedFeed.close();
            join(store.addRoute(tenant, "b", "n1"));

            await().atMost(DELIVERY).untilAsserted(() -> assertThat(open.changes).hasSize(2));
            assertThat(closed.changes).hasSize(1);
        }
    }

    @Test
    void replicaConvergesWhileNodesChangeRoutesConcurrently() {
        join(store.addRoute(tenant, "seed", "n0"));
        RouteReplica replica = join(RouteReplica.start(store, tenant));
        try {
            assertThat(replica.nodes("seed")).containsExactly("n0");

            runConcurrently(4, t -> {
                for (int i = 0; i < 50; i++) {
                    join(store.addRoute(tenant, "f/" + (i % 10), "n" + t));
                    if (i % 3 == 0) {
                        join(store.removeRoute(tenant, "f/" + ((i + 5) % 10), "n" + t));
                    }
                }
            });

            RouteSnapshot expected = join(store.snapshot(tenant));
            await().atMost(DELIVERY).untilAsserted(() -> {
                assertThat(replica.version()).isEqualTo(expected.version());
                assertThat(replica.routes()).isEqualTo(expected.routes());
            });
        } finally {
            replica.close();
        }
    }

    @Test
    void replicaRecoversFromALostChangeBySnapshotting() {
        // a feed that loses the change with version 2, as a broken subscription might
        RouteStore lossy = new ForwardingRouteStore(store) {
            @Override
            public java.util.concurrent.CompletionStage<RouteFeed> watch(TenantId t, RouteListener listener) {
                return super.watch(t, new RouteListener() {
                    @Override
                    public void onChange(RouteChange change) {
                        if (change.version() != 2) {
                            listener.onChange(change);
                        }
                    }

                    @Override
                    public void onResync(TenantId resynced) {
                        listener.onResync(resynced);
                    }
                });
            }
        };
        RouteReplica replica = join(RouteReplica.start(lossy, tenant));
        try {
            join(store.addRoute(tenant, "a", "n1"));
            await().atMost(DELIVERY).until(() -> replica.version() == 1);

            join(store.addRoute(tenant, "b", "n1"));   // lost on the way
            join(store.addRoute(tenant, "c", "n1"));   // arrives with a gap: the replica takes a snapshot

            await().atMost(DELIVERY).untilAsserted(() -> {
                assertThat(replica.version()).isEqualTo(3);
                assertThat(replica.routes()).isEqualTo(
                        Map.of("a", Set.of("n1"), "b", Set.of("n1"), "c", Set.of("n1")));
            });
        } finally {
            replica.close();
        }
    }

    /** Delegates every call; tests override what they need. */
    private static class ForwardingRouteStore implements RouteStore {
        private final RouteStore delegate;

        ForwardingRouteStore(RouteStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public java.util.concurrent.CompletionStage<Boolean> addRoute(TenantId t, String filter, String nodeId) {
            return delegate.addRoute(t, filter, nodeId);
        }

        @Override
        public java.util.concurrent.CompletionStage<Boolean> removeRoute(TenantId t, String filter, String nodeId) {
            return delegate.removeRoute(t, filter, nodeId);
        }

        @Override
        public java.util.concurrent.CompletionStage<Integer> removeNode(TenantId t, String nodeId) {
            return delegate.removeNode(t, nodeId);
        }

        @Override
        public java.util.concurrent.CompletionStage<RouteSnapshot> snapshot(TenantId t) {
            return delegate.snapshot(t);
        }

        @Override
        public java.util.concurrent.CompletionStage<RouteFeed> watch(TenantId t, RouteListener listener) {
            return delegate.watch(t, listener);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
