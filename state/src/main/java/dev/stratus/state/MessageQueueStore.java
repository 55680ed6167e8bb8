package dev.stratus.state;

import dev.stratus.state.model.EnqueueResult;
import dev.stratus.state.model.QueuedMessage;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Bounded FIFO queues of messages waiting for a session: messages that arrived while its client was offline,
 * or that did not fit in its inflight window.
 * <p>
 * Two ways to drain a queue: {@link #poll} removes what it returns (a crash before the caller stored the messages
 * elsewhere loses them), while {@link #peek} then {@link #ack} removes only what the caller confirms, after it
 * wrote the messages to the inflight store. Every queued message has a sequence number, increasing per session,
 * so that an ack never removes a message the peek did not return, even when enqueues dropped older ones meanwhile.
 */
public interface MessageQueueStore {

    /**
     * Appends a message. When the queue then holds more than {@code maxQueued} messages, the oldest are dropped.
     */
    CompletionStage<EnqueueResult> enqueue(SessionKey key, StoredMessage message, int maxQueued);

    /**
     * Removes and returns up to {@code max} messages, oldest first. Expired messages are returned too: the caller
     * drops them. A crash between this call and the caller's next write loses the messages: use {@link #peek}
     * and {@link #ack} where that matters.
     */
    CompletionStage<List<StoredMessage>> poll(SessionKey key, int max);

    /**
     * Returns up to {@code max} messages, oldest first, with their sequence numbers, without removing them.
     * Expired messages are returned too: the caller drops them (and acks them).
     */
    CompletionStage<List<QueuedMessage>> peek(SessionKey key, int max);

    /**
     * Removes every queued message whose sequence is at most {@code upToSequence}: typically the last sequence of
     * a {@link #peek} whose messages the caller has stored elsewhere.
     *
     * @return how many messages were removed
     */
    CompletionStage<Integer> ack(SessionKey key, long upToSequence);

    CompletionStage<Integer> size(SessionKey key);

    CompletionStage<Void> clear(SessionKey key);

    /**
     * Appends a message, as {@link #enqueue}, and tells its sequence number: for a queue used as a write-ahead log,
     * whose entries are later removed one by one ({@link #remove}) or moved to the inflight store
     * ({@link StateStores#moveToInflight}).
     */
    CompletionStage<dev.stratus.state.model.Appended> append(SessionKey key, StoredMessage message, int maxQueued);

    /** Removes the queued message with exactly this sequence number. @return true when it was queued */
    CompletionStage<Boolean> remove(SessionKey key, long sequence);

    /** How long a delivery id is remembered per session by {@link #appendOnce}. */
    long DELIVERY_ID_WINDOW_MILLIS = 60_000;
    /** How many delivery ids a session remembers at most (the newest), whatever their age. */
    int MAX_DELIVERY_IDS = 50_000;

    /**
     * Appends a message as {@link #append}, unless a message with the same {@code deliveryId} was appended to this
     * session's queue by this method within the last {@link #DELIVERY_ID_WINDOW_MILLIS} (then the answer is
     * {@link dev.stratus.state.model.Appended#DUPLICATE} and nothing changes). The check and the append are one
     * atomic step, so two nodes that hand the same QoS 2 message to one session (its first delivery, and a
     * redelivery after a node died) give it to the session once [MQTT-4.3.3-2]. {@link #clear} forgets the ids.
     *
     * @param nowMillis the caller's clock, which ages the remembered ids
     */
    CompletionStage<dev.stratus.state.model.Appended> appendOnce(SessionKey key, StoredMessage message, int maxQueued,
                                                                 String deliveryId, long nowMillis);
}
