package dev.stratus.state.memory;

import dev.stratus.state.StateStores;
import dev.stratus.state.StateStoresContract;

class InMemoryStateStoresTest extends StateStoresContract {

    @Override
    protected StateStores createStores() {
        return MemoryBackend.create();
    }
}
