package dev.stratus.state.model;

import java.util.Objects;

/**
 * A message in a session's queue, with its position.
 *
 * @param sequence increases with every message enqueued for the session, and is never reused while the session
 *                 exists; {@link dev.stratus.state.MessageQueueStore#ack} removes up to a sequence
 * @param message  the message
 */
public record QueuedMessage(long sequence, StoredMessage message) {

    public QueuedMessage {
        Objects.requireNonNull(message, "message");
    }
}
