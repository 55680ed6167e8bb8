package dev.stratus.state.memory;

import dev.stratus.state.SessionOwnership;
import dev.stratus.state.SessionOwnershipContract;

class InMemorySessionOwnershipTest extends SessionOwnershipContract {

    @Override
    protected SessionOwnership create() {
        return new InMemorySessionOwnership();
    }
}
