package dev.stratus.state.redis;

import dev.stratus.state.SessionOwnership;
import dev.stratus.state.SessionOwnershipContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SessionOwnership contract on a real Redis Cluster. */
class RedisClusterSessionOwnershipIT extends SessionOwnershipContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    @Override
    protected SessionOwnership create() {
        return RedisBackend.createSessionOwnership(REDIS.vertx(), REDIS.managedClient(), RedisBackendOptions.defaults());
    }
}
