package dev.stratus.state.redis;

import dev.stratus.state.StateStoreException;
import dev.stratus.state.StateStores;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.message;
import static dev.stratus.state.ContractSupport.newSession;
import static dev.stratus.state.ContractSupport.newTenant;
import static dev.stratus.state.ContractSupport.retained;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the stores do when redis-server goes away in the middle of use and comes back: calls fail promptly with a
 * {@link StateStoreException} (no hang), and work again once the server is back, on the same stores and client.
 * The server keeps no data across the restart (persistence is off), as after losing a non-persistent Redis.
 */
class RedisRestartIT {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration PROMPTLY = Duration.ofSeconds(4);

    private static void assertFailsPromptly(CompletionStage<?> stage) {
        assertThatThrownBy(() -> stage.toCompletableFuture().get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(StateStoreException.class).hasMessageContaining("Redis");
    }

    @Test
    void callsFailWhileRedisIsDownAndWorkAgainAfterItIsBack() {
        StateStores stores = REDIS.newStores();
        SessionKey key = newSession(newTenant());
        join(stores.sessions().upsert(key, 60, 0));
        join(stores.queues().enqueue(key, message("a", "before"), 10));

        REDIS.server().kill();

        assertFailsPromptly(stores.sessions().find(key));
        assertFailsPromptly(stores.queues().enqueue(key, message("a", "during"), 10));
        assertFailsPromptly(stores.retained().match(key.tenant(), "a/#"));

        REDIS.server().start();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(join(stores.queues().enqueue(key, message("a", "after"), 10)).size()).isEqualTo(1));
        // scripts are gone with the old server: EVALSHA falls back to EVAL
        join(stores.sessions().upsert(key, 60, 0));
        assertThat(join(stores.sessions().find(key))).isPresent();
        join(stores.retained().put(key.tenant(), retained("a/b", "x")));
        assertThat(join(stores.retained().match(key.tenant(), "a/#"))).extracting(StoredMessage::topic)
                .containsExactly("a/b");
    }

    @Test
    void callsInFlightWhenRedisDiesFailInsteadOfHanging() {
        StateStores stores = REDIS.newStores();
        SessionKey key = newSession(newTenant());
        join(stores.sessions().upsert(key, 60, 0));

        CompletionStage<?>[] pending = new CompletionStage<?>[200];
        for (int i = 0; i < pending.length; i++) {
            pending[i] = stores.queues().enqueue(key, message("a", "m" + i), 1000);
        }
        REDIS.server().kill();

        for (CompletionStage<?> stage : pending) {
            // each either made it before the kill or fails: none stays incomplete
            assertThat(stage.toCompletableFuture().handle((result, error) -> error == null || isStoreFailure(error)))
                    .succeedsWithin(PROMPTLY.plusSeconds(1)).isEqualTo(true);
        }
        REDIS.server().start();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> join(stores.queues().size(key)));
    }

    @Test
    void aStalledServerMakesCallsTimeOut() {
        StateStores stores = REDIS.newStores(RedisBackendOptions.defaults().withCommandTimeout(Duration.ofMillis(300)));
        SessionKey key = newSession(newTenant());
        join(stores.sessions().upsert(key, 60, 0));

        // SIGSTOP: the connection stays open but nothing answers, like a stalled or partitioned Redis
        REDIS.server().pause();
        try {
            assertFailsPromptly(stores.sessions().find(key));
            assertThatThrownBy(() -> join(stores.queues().size(key))).hasRootCauseMessage(
                    "queues.size: no answer from Redis within 300 ms");
        } finally {
            REDIS.server().resume();
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(join(stores.sessions().find(key))).isPresent());
    }

    private static boolean isStoreFailure(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
        return cause instanceof StateStoreException;
    }
}
