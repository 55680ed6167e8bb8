package dev.stratus.ingress.session;

import dev.stratus.ingress.broker.RoutedMessage;

/** Where a connected session's messages go: the outbound side of its connection. Callable from any thread. */
public interface SessionSink {

    void offer(RoutedMessage message);

    /** True while this receiver cannot keep up: publishers that feed it should stop reading for a while. */
    boolean isCongested();

    /**
     * Runs {@code wake} once this receiver is no longer congested (or goes away).
     *
     * @return false when it is not congested any more, so the caller need not wait
     */
    boolean awaitUncongested(Runnable wake);
}
