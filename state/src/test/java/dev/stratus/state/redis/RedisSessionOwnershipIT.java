package dev.stratus.state.redis;

import dev.stratus.state.SessionOwnership;
import dev.stratus.state.SessionOwnershipContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SessionOwnership contract against a real redis-server. */
class RedisSessionOwnershipIT extends SessionOwnershipContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected SessionOwnership create() {
        return RedisBackend.createSessionOwnership(REDIS.vertx(), REDIS.managedClient(), RedisBackendOptions.defaults());
    }
}
