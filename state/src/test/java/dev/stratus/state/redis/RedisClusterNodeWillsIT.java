package dev.stratus.state.redis;

import dev.stratus.state.NodeWills;
import dev.stratus.state.NodeWillsContract;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The NodeWills contract on a real Redis Cluster. */
class RedisClusterNodeWillsIT extends NodeWillsContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    private Redis client;

    @Override
    protected NodeWills create() {
        client = REDIS.newClient();
        return RedisBackend.createNodeWills(REDIS.vertx(), client, RedisBackendOptions.defaults());
    }

    @AfterEach
    void closeClient() {
        client.close();
    }
}
