package dev.stratus.state.memory;

import dev.stratus.state.NodeRegistry;
import dev.stratus.state.NodeRegistryContract;

import java.time.Clock;

class InMemoryNodeRegistryTest extends NodeRegistryContract {

    @Override
    protected NodeRegistry createRegistry() {
        return MemoryBackend.createNodeRegistry(Clock.systemUTC());
    }
}
