package dev.stratus.state.memory;

import dev.stratus.state.SessionStore;
import dev.stratus.state.SessionStoreContract;

class InMemorySessionStoreTest extends SessionStoreContract {

    @Override
    protected SessionStore createStore() {
        return new InMemorySessionStore();
    }
}
