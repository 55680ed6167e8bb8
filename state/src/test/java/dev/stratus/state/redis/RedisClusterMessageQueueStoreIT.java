package dev.stratus.state.redis;

import dev.stratus.state.MessageQueueStore;
import dev.stratus.state.MessageQueueStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The MessageQueueStore contract on a real Redis Cluster: every script's keys share a slot (hash tags). */
class RedisClusterMessageQueueStoreIT extends MessageQueueStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster();

    @Override
    protected MessageQueueStore createStore() {
        return REDIS.newStores().queues();
    }
}
