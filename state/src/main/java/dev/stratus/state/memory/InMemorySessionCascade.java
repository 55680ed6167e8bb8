package dev.stratus.state.memory;

import dev.stratus.state.InflightStore;
import dev.stratus.state.MessageQueueStore;
import dev.stratus.state.SessionCascade;
import dev.stratus.state.model.SessionKey;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Deletes a session from the in-memory stores: the session (checked for expiry under its own lock, for
 * {@link #deleteIfExpired}), then its queue and inflight window. The three maps are separate, so a message
 * enqueued concurrently with the delete can outlive it; the broker does not enqueue for a session it is deleting.
 */
final class InMemorySessionCascade implements SessionCascade {

    private final InMemorySessionStore sessions;
    private final MessageQueueStore queues;
    private final InflightStore inflight;

    InMemorySessionCascade(InMemorySessionStore sessions, MessageQueueStore queues, InflightStore inflight) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.queues = Objects.requireNonNull(queues, "queues");
        this.inflight = Objects.requireNonNull(inflight, "inflight");
    }

    @Override
    public CompletionStage<Boolean> delete(SessionKey key) {
        Objects.requireNonNull(key, "key");
        return sessions.delete(key).thenCompose(existed -> clearRest(key, existed));
    }

    @Override
    public CompletionStage<Boolean> deleteIfExpired(SessionKey key, long nowMillis) {
        Objects.requireNonNull(key, "key");
        return sessions.deleteIfExpired(key, nowMillis)
                ? clearRest(key, true)
                : CompletableFuture.completedFuture(false);
    }

    private CompletionStage<Boolean> clearRest(SessionKey key, boolean result) {
        return queues.clear(key).thenCompose(v -> inflight.clear(key)).thenApply(v -> result);
    }
}
