package dev.stratus.state.redis;

import dev.stratus.state.MessageQueueStore;
import dev.stratus.state.MessageQueueStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The MessageQueueStore contract against a real redis-server. */
class RedisMessageQueueStoreIT extends MessageQueueStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected MessageQueueStore createStore() {
        return REDIS.newStores().queues();
    }
}
