package dev.stratus.state.redis;

import dev.stratus.state.NodeWills;
import dev.stratus.state.NodeWillsContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The NodeWills contract against a real redis-server. */
class RedisNodeWillsIT extends NodeWillsContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected NodeWills create() {
        return RedisBackend.createNodeWills(REDIS.vertx(), REDIS.managedClient(), RedisBackendOptions.defaults());
    }
}
