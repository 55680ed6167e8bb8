package dev.stratus.state.memory;

import dev.stratus.state.InflightStore;
import dev.stratus.state.InflightStoreContract;

class InMemoryInflightStoreTest extends InflightStoreContract {

    @Override
    protected InflightStore createStore() {
        return new InMemoryInflightStore();
    }
}
