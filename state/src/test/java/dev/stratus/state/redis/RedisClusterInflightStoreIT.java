package dev.stratus.state.redis;

import dev.stratus.state.InflightStore;
import dev.stratus.state.InflightStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The InflightStore contract on a real Redis Cluster: every script's keys share a slot (hash tags). */
class RedisClusterInflightStoreIT extends InflightStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    @Override
    protected InflightStore createStore() {
        return REDIS.newStores().inflight();
    }
}
