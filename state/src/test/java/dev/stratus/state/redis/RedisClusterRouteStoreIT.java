package dev.stratus.state.redis;

import dev.stratus.state.RouteStore;
import dev.stratus.state.RouteStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The route store contract, change feed included, on a real Redis Cluster. */
class RedisClusterRouteStoreIT extends RouteStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    @Override
    protected RouteStore createStore() {
        return RedisBackend.createRouteStore(REDIS.vertx(), REDIS.newClient(),
                RedisBackendOptions.defaults().withCloseClient(true));
    }
}
