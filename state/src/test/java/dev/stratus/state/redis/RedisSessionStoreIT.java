package dev.stratus.state.redis;

import dev.stratus.state.SessionStore;
import dev.stratus.state.SessionStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SessionStore contract against a real redis-server. */
class RedisSessionStoreIT extends SessionStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected SessionStore createStore() {
        return REDIS.newStores().sessions();
    }
}
