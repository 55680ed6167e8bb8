package dev.stratus.state.memory;

import dev.stratus.state.NodeRegistry;
import dev.stratus.state.RouteStore;
import dev.stratus.state.StateStores;

import java.time.Clock;
import java.util.Objects;

/** Creates the four in-memory stores; closing them does nothing (the heap is released with them). */
public final class MemoryBackend {

    private MemoryBackend() {
    }

    /** Stores that read the system clock to decide when a retained message has expired. */
    public static StateStores create() {
        return create(Clock.systemUTC());
    }

    /** Route tables of this process only: what the embedded broker (one node) and single-JVM tests need. */
    public static RouteStore createRouteStore() {
        return new InMemoryRouteStore();
    }

    /** Nodes of this process (several nodes in one JVM, in tests), with deadlines by {@code clock}. */
    public static NodeRegistry createNodeRegistry(Clock clock) {
        return new InMemoryNodeRegistry(clock);
    }

    /** @param clock the clock the retained store compares message expiry against */
    public static StateStores create(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        InMemorySessionStore sessions = new InMemorySessionStore();
        InMemoryMessageQueueStore queues = new InMemoryMessageQueueStore();
        InMemoryInflightStore inflight = new InMemoryInflightStore();
        return new StateStores(sessions, queues, inflight, new InMemoryRetainedStore(clock),
                new InMemorySessionCascade(sessions, queues, inflight), () -> { });
    }
}
