package dev.stratus.state.memory;

import dev.stratus.state.MessageQueueStore;
import dev.stratus.state.MessageQueueStoreContract;

class InMemoryMessageQueueStoreTest extends MessageQueueStoreContract {

    @Override
    protected MessageQueueStore createStore() {
        return new InMemoryMessageQueueStore();
    }
}
