package dev.stratus.state.redis;

import dev.stratus.state.RetainedStore;
import dev.stratus.state.RetainedStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The RetainedStore contract on a real Redis Cluster: every script's keys share a slot (hash tags). */
class RedisClusterRetainedStoreIT extends RetainedStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    @Override
    protected RetainedStore createStore() {
        return REDIS.newStores().retained();
    }
}
