package dev.stratus.state;

import dev.stratus.state.memory.MemoryBackend;

/** The generic cascade that {@link StateStores}' four-store constructor uses, over the in-memory stores. */
class SequentialSessionCascadeTest extends StateStoresContract {

    @Override
    protected StateStores createStores() {
        StateStores memory = MemoryBackend.create();
        return new StateStores(memory.sessions(), memory.queues(), memory.inflight(), memory.retained());
    }
}
