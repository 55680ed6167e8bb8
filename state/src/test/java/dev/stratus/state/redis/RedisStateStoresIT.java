package dev.stratus.state.redis;

import dev.stratus.state.StateStores;
import dev.stratus.state.StateStoresContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cross-store operations (cascading delete, close) against a real redis-server. */
class RedisStateStoresIT extends StateStoresContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected StateStores createStores() {
        return REDIS.newStores();
    }
}
