package dev.stratus.state;

import dev.stratus.state.model.InflightMessage;
import dev.stratus.state.model.SessionKey;

import java.util.concurrent.CompletionStage;

/**
 * Moves a message from a session's queue to its inflight store, so that it is in exactly one of them: the step
 * that makes the queue a write-ahead log ({@link StateStores#moveToInflight}). A backend that can does it
 * atomically; the default puts, then removes (a crash in between leaves it in both: sent twice, never lost).
 */
@FunctionalInterface
public interface QueueToInflight {

    CompletionStage<Void> move(SessionKey key, InflightMessage message, long queueSequence);

    static QueueToInflight sequential(InflightStore inflight, MessageQueueStore queues) {
        return (key, message, seq) -> inflight.put(key, message)
                .thenCompose(v -> queues.remove(key, seq)).thenApply(removed -> null);
    }
}
