package dev.stratus.ingress.session;

import dev.stratus.state.model.StoredMessage;

/** Where a connected session's messages go: the outbound side of its connection. Callable from any thread. */
@FunctionalInterface
public interface SessionSink {

    void offer(StoredMessage message);
}
