package dev.stratus.state.memory;

import dev.stratus.state.NodeWills;
import dev.stratus.state.NodeWillsContract;

class InMemoryNodeWillsTest extends NodeWillsContract {

    @Override
    protected NodeWills create() {
        return new InMemoryNodeWills();
    }
}
