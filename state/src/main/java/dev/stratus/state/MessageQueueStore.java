package dev.stratus.state;

import dev.stratus.state.model.EnqueueResult;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Bounded FIFO queues of messages waiting for a session: messages that arrived while its client was offline,
 * or that did not fit in its inflight window.
 */
public interface MessageQueueStore {

    /**
     * Appends a message. When the queue then holds more than {@code maxQueued} messages, the oldest are dropped.
     */
    CompletionStage<EnqueueResult> enqueue(SessionKey key, StoredMessage message, int maxQueued);

    /**
     * Removes and returns up to {@code max} messages, oldest first. Expired messages are returned too: the caller
     * drops them. (A durable backend will need a peek-then-remove or an atomic move to inflight, so that a crash
     * between this call and the inflight write loses nothing: see the cluster-mode issue.)
     */
    CompletionStage<List<StoredMessage>> poll(SessionKey key, int max);

    CompletionStage<Integer> size(SessionKey key);

    CompletionStage<Void> clear(SessionKey key);
}
