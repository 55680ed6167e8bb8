package dev.stratus.state.memory;

import dev.stratus.state.RouteStore;
import dev.stratus.state.RouteStoreContract;

class InMemoryRouteStoreTest extends RouteStoreContract {

    @Override
    protected RouteStore createStore() {
        return MemoryBackend.createRouteStore();
    }
}
