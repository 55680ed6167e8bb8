package dev.stratus.state;

import dev.stratus.state.model.SessionKey;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The stores one backend provides; the broker is given one of these at start-up and closes it at shutdown.
 * <p>
 * Besides the four stores it offers the operations that span them: deleting everything a session owns
 * ({@link #deleteSession}, {@link #deleteSessionIfExpired}), which a backend may do atomically (the Redis backend
 * does, in one script on the session's slot), and {@link #close()}, which releases the backend's connections.
 */
public final class StateStores implements AutoCloseable {

    private final SessionStore sessions;
    private final MessageQueueStore queues;
    private final InflightStore inflight;
    private final RetainedStore retained;
    private final SessionCascade cascade;
    private final Runnable onClose;
    private final QueueToInflight mover;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Stores without a backend-specific cascade: deleting a session calls the three stores one after the other,
     * and closing does nothing.
     */
    public StateStores(SessionStore sessions, MessageQueueStore queues, InflightStore inflight, RetainedStore retained) {
        this(sessions, queues, inflight, retained, new SequentialSessionCascade(sessions, queues, inflight), () -> { });
    }

    /**
     * @param cascade deletes everything a session owns
     * @param onClose run once by the first {@link #close()}
     */
    public StateStores(SessionStore sessions, MessageQueueStore queues, InflightStore inflight, RetainedStore retained,
                       SessionCascade cascade, Runnable onClose) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.queues = Objects.requireNonNull(queues, "queues");
        this.inflight = Objects.requireNonNull(inflight, "inflight");
        this.retained = Objects.requireNonNull(retained, "retained");
        this.cascade = Objects.requireNonNull(cascade, "cascade");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        this.mover = QueueToInflight.sequential(inflight, queues);
    }

    /** With a backend's own (atomic) move from queue to inflight. */
    public StateStores(SessionStore sessions, MessageQueueStore queues, InflightStore inflight, RetainedStore retained,
                       SessionCascade cascade, Runnable onClose, QueueToInflight mover) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.queues = Objects.requireNonNull(queues, "queues");
        this.inflight = Objects.requireNonNull(inflight, "inflight");
        this.retained = Objects.requireNonNull(retained, "retained");
        this.cascade = Objects.requireNonNull(cascade, "cascade");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        this.mover = Objects.requireNonNull(mover, "mover");
    }

    public SessionStore sessions() {
        return sessions;
    }

    public MessageQueueStore queues() {
        return queues;
    }

    public InflightStore inflight() {
        return inflight;
    }

    public RetainedStore retained() {
        return retained;
    }

    /**
     * Deletes everything the session owns: the session, its subscriptions, its queue, its outbound inflight
     * messages and its inbound QoS 2 receipts.
     *
     * @return true when the session existed
     */
    public CompletionStage<Boolean> deleteSession(SessionKey key) {
        return cascade.delete(key);
    }

    /**
     * Like {@link #deleteSession}, but only when the session exists and has expired at {@code nowMillis}
     * ({@link dev.stratus.state.model.StoredSession#isExpired}). A node that cleans up the sessions listed by
     * {@link SessionStore#listExpired} uses this, so that a session its client resumed meanwhile is kept.
     *
     * @return true when the session was expired and has been deleted
     */
    public CompletionStage<Boolean> deleteSessionIfExpired(SessionKey key, long nowMillis) {
        return cascade.deleteIfExpired(key, nowMillis);
    }

    /**
     * Moves a queued message (by its sequence number) to the inflight store as {@code message}: sending a message
     * of a write-ahead queue. In exactly one of them afterwards (atomically where the backend can).
     */
    public CompletionStage<Void> moveToInflight(SessionKey key, dev.stratus.state.model.InflightMessage message,
                                                long queueSequence) {
        return mover.move(key, message, queueSequence);
    }

    /** Releases the backend (connections, clients it owns). Idempotent; a backend may fail store calls made afterwards. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            onClose.run();
        }
    }
}
