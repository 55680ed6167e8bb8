package dev.stratus.state.redis;

import dev.stratus.state.NodeRegistry;
import dev.stratus.state.NodeRegistryContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The NodeRegistry contract on a real Redis Cluster. */
class RedisClusterNodeRegistryIT extends NodeRegistryContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    @Override
    protected NodeRegistry createRegistry() {
        return RedisBackend.createNodeRegistry(REDIS.vertx(), REDIS.managedClient(), RedisBackendOptions.defaults());
    }
}
