package dev.stratus.state.redis;

import dev.stratus.state.NodeRegistry;
import dev.stratus.state.NodeRegistryContract;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The NodeRegistry contract on a real Redis Cluster. */
class RedisClusterNodeRegistryIT extends NodeRegistryContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    private Redis client;

    @Override
    protected NodeRegistry createRegistry() {
        client = REDIS.newClient();
        return RedisBackend.createNodeRegistry(REDIS.vertx(), client, RedisBackendOptions.defaults());
    }

    @AfterEach
    void closeClient() {
        client.close();
    }
}
