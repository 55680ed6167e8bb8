package dev.stratus.state.redis;

import dev.stratus.state.RouteFeed;
import dev.stratus.state.RouteReplica;
import dev.stratus.state.RouteStore;
import dev.stratus.state.RouteStoreContract;
import dev.stratus.state.StateStoreException;
import dev.stratus.state.model.RouteChange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.stratus.state.ContractSupport.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The RouteStore contract against a real redis-server, plus the feed's reconnect and resynchronisation. */
class RedisRouteStoreIT extends RouteStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected RouteStore createStore() {
        return RedisBackend.createRouteStore(REDIS.vertx(), REDIS.newClient(),
                RedisBackendOptions.defaults().withCloseClient(true));
    }

    @Test
    void feedReconnectsAfterRedisRestartsAndAsksForResync() {
        Recorder recorder = new Recorder();
        RouteFeed feed = join(store.watch(tenant, recorder));
        RouteReplica replica = join(RouteReplica.start(store, tenant));
        try {
            join(store.addRoute(tenant, "a", "n1"));
            await().atMost(DELIVERY).until(() -> replica.version() == 1);

            REDIS.server().kill();
            assertThatThrownBy(() -> store.addRoute(tenant, "b", "n1").toCompletableFuture()
                    .get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StateStoreException.class);
            REDIS.server().start();

            // the feed comes back by itself and tells its listeners that they may have missed changes
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.resyncs.get() >= 1);
            // Redis lost its data (no persistence): the replica follows the store, not its own history
            await().atMost(DELIVERY).untilAsserted(() -> assertThat(replica.routes()).isEmpty());
            join(store.addRoute(tenant, "c", "n2"));
            await().atMost(DELIVERY).untilAsserted(() -> {
                assertThat(replica.routes()).isEqualTo(Map.of("c", Set.of("n2")));
                assertThat(recorder.changes).contains(new RouteChange(tenant, 1, "c", "n2", true));
            });
        } finally {
            replica.close();
            feed.close();
        }
    }

    @Test
    void watchFailsClearlyWhileRedisIsDown() {
        REDIS.server().kill();
        try {
            assertThatThrownBy(() -> store.watch(tenant, new Recorder()).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StateStoreException.class);
        } finally {
            REDIS.server().start();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                join(store.watch(tenant, new Recorder())).close());
    }
}
