package dev.stratus.state.redis;

import dev.stratus.state.StateStoreException;
import dev.stratus.state.StateStores;
import dev.stratus.state.StateStoresContract;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.newSession;
import static dev.stratus.state.ContractSupport.newTenant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cross-store operations (cascading delete, close) against a real redis-server. */
class RedisStateStoresIT extends StateStoresContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected StateStores createStores() {
        return REDIS.newStores();
    }

    @Test
    void callsFailClearlyAfterClose() {
        StateStores closed = REDIS.newStores();
        closed.close();

        assertThatThrownBy(() -> closed.sessions().find(newSession(newTenant())).toCompletableFuture()
                .get(1, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(StateStoreException.class).hasMessageContaining("closed");
    }

    @Test
    void aScriptsFirstUseKeepsItsPlaceInTheOrderOfCalls() throws Exception {
        // a server that does not know the scripts (a new or restarted Redis): an EVALSHA would fail with NOSCRIPT
        // and its EVAL would reach Redis after the call made next
        Redis admin = REDIS.newClient();
        try {
            admin.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).toCompletionStage().toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
        } finally {
            admin.close();
        }
        StateStores stores = REDIS.newStores();
        var key = newSession(newTenant());
        var enqueued = stores.queues().enqueue(key, dev.stratus.state.ContractSupport.message("a", "m"), 10);
        var size = stores.queues().size(key); // issued before the enqueue is answered

        join(enqueued);
        assertThat(join(size)).isEqualTo(1);
    }

    @Test
    void theObserverIsToldTheDurationOfEveryCall() {
        java.util.List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        StateStores stores = REDIS.newStores(RedisBackendOptions.defaults().withObserver((operation, nanos, ok) -> {
            if (nanos > 0) {
                seen.add(operation + (ok ? "" : " failed"));
            }
        }));
        var key = newSession(newTenant());
        join(stores.queues().enqueue(key, dev.stratus.state.ContractSupport.message("a", "m"), 10));
        join(stores.queues().size(key));
        stores.close();

        assertThat(seen).containsExactly("queues.enqueue", "queues.size");
    }

    @Test
    void closingStoresOnASharedClientLeavesTheClientOpen() throws Exception {
        Redis shared = REDIS.newClient();
        try {
            StateStores stores = RedisBackend.create(REDIS.vertx(), shared, RedisBackendOptions.defaults());
            join(stores.sessions().count(newTenant()));
            stores.close();

            assertThat(shared.send(Request.cmd(Command.PING)).toCompletionStage().toCompletableFuture()
                    .get(5, TimeUnit.SECONDS).toString()).isEqualTo("PONG");
        } finally {
            shared.close();
        }
    }
}
