package dev.stratus.state.redis;

import dev.stratus.state.NodeRegistry;
import dev.stratus.state.NodeRegistryContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The NodeRegistry contract against a real redis-server (deadlines by the server's clock). */
class RedisNodeRegistryIT extends NodeRegistryContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected NodeRegistry createRegistry() {
        return RedisBackend.createNodeRegistry(REDIS.vertx(), REDIS.managedClient(), RedisBackendOptions.defaults());
    }
}
