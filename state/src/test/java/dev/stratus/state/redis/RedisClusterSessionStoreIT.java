package dev.stratus.state.redis;

import dev.stratus.state.SessionStore;
import dev.stratus.state.SessionStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SessionStore contract on a real Redis Cluster: every script's keys share a slot (hash tags). */
class RedisClusterSessionStoreIT extends SessionStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    @Override
    protected SessionStore createStore() {
        return REDIS.newStores().sessions();
    }
}
