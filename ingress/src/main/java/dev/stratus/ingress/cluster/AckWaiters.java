package dev.stratus.ingress.cluster;

import io.vertx.core.Vertx;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forwarded QoS 1/2 messages waiting for the receiving node's acknowledgement, by sequence number. Waiting times
 * out after {@code timeoutMillis}, checked by one periodic sweep rather than a timer per message (a scheduled task
 * per forwarded message was a cost of its own at a few hundred thousand messages a second).
 */
final class AckWaiters implements AutoCloseable {

    /** Completes with true when acknowledged (or when there was nobody to wait for). */
    static final class Waiter extends CompletableFuture<Boolean> {
        final long seq;
        final long deadline;
        /** The node it waits for and what was sent there (set by the forwarder), for when it times out. */
        volatile String node;
        volatile ClusterForwarder.Pending pending;

        Waiter(long seq, long deadline) {
            this.seq = seq;
            this.deadline = deadline;
        }
    }

    private final Map<Long, Waiter> waiting = new ConcurrentHashMap<>();
    private final AtomicLong nextSeq = new AtomicLong();
    private final long timeoutMillis;
    private final Vertx vertx;
    private final long timer;
    private final java.util.function.Consumer<Waiter> onTimeout;

    AckWaiters(Vertx vertx, long timeoutMillis) {
        this(vertx, timeoutMillis, null);
    }

    /**
     * @param onTimeout takes over a waiter with a {@link Waiter#pending} message that timed out (it completes
     *                  it); without one, or for other waiters, a timeout fails the waiter
     */
    AckWaiters(Vertx vertx, long timeoutMillis, java.util.function.Consumer<Waiter> onTimeout) {
        this.vertx = vertx;
        this.timeoutMillis = timeoutMillis;
        this.onTimeout = onTimeout;
        long period = Math.max(10, Math.min(1_000, timeoutMillis / 4));
        this.timer = vertx.setPeriodic(period, id -> sweep());
    }

    Waiter register() {
        long seq = nextSeq.incrementAndGet();
        Waiter w = new Waiter(seq, System.currentTimeMillis() + timeoutMillis);
        waiting.put(seq, w);
        return w;
    }

    /** The receiving node took {@code first .. first + length - 1}. */
    void acked(long first, int length) {
        for (long seq = first; seq < first + length; seq++) {
            Waiter w = waiting.remove(seq);
            if (w != null) {
                w.complete(Boolean.TRUE);
            }
        }
    }

    /** Nothing to wait for (the target was not listening: counted as dropped). */
    void release(Waiter w) {
        waiting.remove(w.seq);
        w.complete(Boolean.TRUE);
    }

    /** Stops timing {@code w} out: whoever detaches it completes it. */
    void detach(Waiter w) {
        waiting.remove(w.seq);
    }

    void fail(Waiter w, Throwable error) {
        waiting.remove(w.seq);
        w.completeExceptionally(error);
    }

    int size() {
        return waiting.size();
    }

    private void sweep() {
        if (waiting.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        for (Waiter w : waiting.values()) {
            if (now >= w.deadline && waiting.remove(w.seq, w)) {
                if (onTimeout != null && w.pending != null) {
                    onTimeout.accept(w);
                    continue;
                }
                w.completeExceptionally(new TimeoutException("no acknowledgement from the receiving node within "
                        + timeoutMillis + " ms"));
            }
        }
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
    }
}
