package dev.stratus.state.redis;

import dev.stratus.state.SessionOwnership;
import dev.stratus.state.SessionOwnershipContract;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SessionOwnership contract on a real Redis Cluster. */
class RedisClusterSessionOwnershipIT extends SessionOwnershipContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    private Redis client;

    @Override
    protected SessionOwnership create() {
        client = REDIS.newClient();
        return RedisBackend.createSessionOwnership(REDIS.vertx(), client, RedisBackendOptions.defaults());
    }

    @AfterEach
    void closeClient() {
        client.close();
    }
}
