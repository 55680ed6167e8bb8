package dev.stratus.state.redis;

import dev.stratus.state.StateStores;
import dev.stratus.state.StateStoresContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cross-store contract (queue to inflight in one step, cascading session delete) on a real Redis Cluster: the
 * scripts that touch several keys of a session run in that session's slot.
 */
class RedisClusterStateStoresIT extends StateStoresContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    @Override
    protected StateStores createStores() {
        return REDIS.newStores();
    }
}
