package dev.stratus.state.redis;

import dev.stratus.state.NodeWills;
import dev.stratus.state.NodeWillsContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The NodeWills contract on a real Redis Cluster. */
class RedisClusterNodeWillsIT extends NodeWillsContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    @Override
    protected NodeWills create() {
        return RedisBackend.createNodeWills(REDIS.vertx(), REDIS.managedClient(), RedisBackendOptions.defaults());
    }
}
