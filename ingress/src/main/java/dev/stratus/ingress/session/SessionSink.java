package dev.stratus.ingress.session;

import dev.stratus.ingress.broker.Backpressure;
import dev.stratus.ingress.broker.RoutedMessage;

/** Where a connected session's messages go: the outbound side of its connection. Callable from any thread. */
public interface SessionSink extends Backpressure {

    void offer(RoutedMessage message);
}
