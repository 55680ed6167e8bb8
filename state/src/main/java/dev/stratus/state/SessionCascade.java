package dev.stratus.state;

import dev.stratus.state.model.SessionKey;

import java.util.concurrent.CompletionStage;

/**
 * Deletes everything a session owns across the stores: session, subscriptions, queue, inflight messages and
 * inbound QoS 2 receipts. Each backend provides one; see {@link StateStores#deleteSession}.
 */
public interface SessionCascade {

    /** @return true when the session existed */
    CompletionStage<Boolean> delete(SessionKey key);

    /**
     * Deletes only if the session exists and is expired at {@code nowMillis}.
     *
     * @return true when it was deleted
     */
    CompletionStage<Boolean> deleteIfExpired(SessionKey key, long nowMillis);
}
