package dev.stratus.state;

import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredSession;
import dev.stratus.state.model.StoredSubscription;
import dev.stratus.state.model.TenantId;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Persistent sessions and their subscriptions. Queued and inflight messages live in {@link MessageQueueStore}
 * and {@link InflightStore}, keyed by the same {@link SessionKey}.
 * <p>
 * All methods are non-blocking: they return a stage that completes when the change is durable in the backend.
 */
public interface SessionStore {

    CompletionStage<Optional<StoredSession>> find(SessionKey key);

    /**
     * Creates the session, or updates its expiry interval and disconnect time while keeping its subscriptions.
     *
     * @param disconnectedAtMillis 0 while a connection owns the session
     */
    CompletionStage<Void> upsert(SessionKey key, long expiryIntervalSeconds, long disconnectedAtMillis);

    /** Adds or replaces the subscription with the same filter. Creates the session if absent. */
    CompletionStage<Void> putSubscription(SessionKey key, StoredSubscription subscription);

    /** @return true when a subscription with that filter existed */
    CompletionStage<Boolean> removeSubscription(SessionKey key, String filter);

    /**
     * Removes the session and its subscriptions only; {@link StateStores#deleteSession} also removes its queue
     * and inflight messages. @return true when it existed
     */
    CompletionStage<Boolean> delete(SessionKey key);

    CompletionStage<Long> count(TenantId tenant);

    /**
     * Sessions of the tenant that have expired at {@code nowMillis} (disconnected, and disconnectedAt + expiry
     * interval has passed; see {@link StoredSession#isExpired}), earliest expiry first, at most {@code max}.
     * A node cleans them up with {@link StateStores#deleteSessionIfExpired}, which checks the expiry again.
     */
    CompletionStage<List<SessionKey>> listExpired(TenantId tenant, long nowMillis, int max);
}
