package dev.stratus.state;

import dev.stratus.state.model.SessionKey;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A {@link SessionCascade} built only from the store contracts: it deletes the session, then clears its queue,
 * then its inflight window. Not atomic: a write to the queue that races with the delete may survive it, and the
 * expiry check of {@link #deleteIfExpired} is a separate read. Backends that can do better provide their own.
 */
public final class SequentialSessionCascade implements SessionCascade {

    private final SessionStore sessions;
    private final MessageQueueStore queues;
    private final InflightStore inflight;

    public SequentialSessionCascade(SessionStore sessions, MessageQueueStore queues, InflightStore inflight) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.queues = Objects.requireNonNull(queues, "queues");
        this.inflight = Objects.requireNonNull(inflight, "inflight");
    }

    @Override
    public CompletionStage<Boolean> delete(SessionKey key) {
        Objects.requireNonNull(key, "key");
        return sessions.delete(key).thenCompose(existed -> queues.clear(key)
                .thenCompose(v -> inflight.clear(key))
                .thenApply(v -> existed));
    }

    @Override
    public CompletionStage<Boolean> deleteIfExpired(SessionKey key, long nowMillis) {
        Objects.requireNonNull(key, "key");
        return sessions.find(key).thenCompose(found -> found.isPresent() && found.get().isExpired(nowMillis)
                ? delete(key)
                : java.util.concurrent.CompletableFuture.completedFuture(false));
    }
}
