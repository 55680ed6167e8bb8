package dev.stratus.state.redis;

import dev.stratus.state.InflightStore;
import dev.stratus.state.InflightStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The InflightStore contract against a real redis-server. */
class RedisInflightStoreIT extends InflightStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected InflightStore createStore() {
        return REDIS.newStores().inflight();
    }
}
