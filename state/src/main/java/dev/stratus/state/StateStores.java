package dev.stratus.state;

import java.util.Objects;

/** The stores one backend provides; the broker is given one of these at start-up. */
public record StateStores(
        SessionStore sessions,
        MessageQueueStore queues,
        InflightStore inflight,
        RetainedStore retained) {

    public StateStores {
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(queues, "queues");
        Objects.requireNonNull(inflight, "inflight");
        Objects.requireNonNull(retained, "retained");
    }
}
