package dev.stratus.ingress.cluster;

import dev.stratus.ingress.broker.Backpressure;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forwards messages and acknowledgements to other nodes in batches: what is meant for one node during one
 * event-loop pass goes out as one {@code PUBLISH} of a {@link FrameBatch}, so that a busy node costs Redis one
 * command per pass and target, not one per message (as writes to a socket are flushed once per pass). Batches to a
 * node are sent in order on the bus's single publishing connection, so messages from one publisher reach a
 * subscriber on another node in the order they were published [MQTT-4.6.0-6].
 * <p>
 * Frames are encoded straight into their batch and no future is made per message: a QoS 0 forward is done once it
 * is in a batch; a QoS 1/2 forward carries its {@link AckWaiters.Waiter}, which the batch fails when Redis refuses
 * it and releases when nobody listens at the target. (A future per QoS 0 message, kept alive until Redis answered
 * the batch, made the origin node spend most of its time in garbage collection under load.) Bytes sent and not
 * yet answered by Redis are counted; past {@link #MAX_PENDING_BYTES} QoS 0 frames are dropped (and counted by the
 * caller) rather than queued without bound.
 * <p>
 * Flow control: each target node has a {@link NodeWindow} of the bytes it has not yet credited back; a forward to a
 * node whose window is full returns that window, and the caller makes the publisher wait for it.
 */
final class ClusterForwarder {

    /** A batch is sent at once when it reaches this size. */
    static final int MAX_BATCH_BYTES = 256 * 1024;
    /** QoS 0 frames are dropped past this much data in flight to Redis. */
    static final long MAX_PENDING_BYTES = 32L * 1024 * 1024;
    /**
     * Bytes of batches a node may have outstanding (sent, not credited back) before its publishers wait. What is
     * outstanding may all land in the outbound buffer of a subscriber there that just became congested (past its
     * 256 KB high-water mark, when the node starts holding credits), so with this much it stays below the 1 MB
     * past which QoS 0 is dropped; 2 MB measured no faster on 2 cores and let a slow subscriber lose messages.
     */
    static final long WINDOW_BYTES = 512 * 1024;
    /**
     * After this long with a full window and no credit, the credits count as lost (the node died, or its inbox lost
     * Redis): longer than a receiver holds a credit for a congested subscriber.
     */
    static final long CREDIT_GIVE_UP_MILLIS = 2 * RedisCluster.MAX_ACK_HOLD_MILLIS;

    /** Told what a batch carried to a node that was not listening. */
    interface Unreachable {
        /** {@code messages} QoS 0 messages are lost for that node. */
        void lost(String node, int messages);

        /** QoS 1/2 messages whose publishers wait: to be sent again (their waiters are still pending). */
        void notListening(String node, List<Pending> pending);
    }

    /**
     * A QoS 1/2 forward: what is needed to send it again when its node was not listening.
     *
     * @param since       when it was first found undeliverable (0: not yet)
     * @param unconfirmed whether its node may have it: sent and not acknowledged in time (else its node was not
     *                    listening, and never had it)
     */
    record Pending(String group, StoredMessage message, String deliveryId, boolean redelivery,
                   AckWaiters.Waiter waiter, long since, boolean unconfirmed) {

        Pending parked(long now, boolean timedOut) {
            return new Pending(group, message, deliveryId, redelivery, waiter, since != 0 ? since : now,
                    unconfirmed || timedOut);
        }
    }

    private final ClusterBus bus;
    private final TenantId tenant;
    private final String origin;
    private final AckWaiters waiters;
    private final Unreachable unreachable;
    private final Map<String, Batch> open = new HashMap<>();
    private final Map<String, NodeWindow> windows = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong pendingBytes = new AtomicLong();

    ClusterForwarder(ClusterBus bus, TenantId tenant, String origin, AckWaiters waiters, Unreachable unreachable) {
        this.bus = bus;
        this.tenant = tenant;
        this.origin = origin;
        this.waiters = waiters;
        this.unreachable = unreachable;
    }

    private final class Batch {
        final String node;
        final FrameBatch.Writer writer = new FrameBatch.Writer(tenant, origin, 16 * 1024);
        final NodeWindow window;
        List<Pending> waiting;

        Batch(String node) {
            this.node = node;
            this.window = window(node);
        }
    }

    /** Whether a QoS 0 frame should be dropped: Redis is not keeping up (or unreachable). */
    boolean saturated() {
        return pendingBytes.get() > MAX_PENDING_BYTES;
    }

    private NodeWindow window(String node) {
        return windows.computeIfAbsent(node, n -> new NodeWindow(WINDOW_BYTES, CREDIT_GIVE_UP_MILLIS));
    }

    /**
     * Forwards a message to {@code node}; {@code waiter} (null for QoS 0) waits for that node's acknowledgement.
     *
     * @return the node's window when it is full (the publisher should wait for it), else null
     */
    Backpressure forward(String node, String group, StoredMessage message, AckWaiters.Waiter waiter) {
        return forward(node, group, message, waiter, null, false, 0);
    }

    /**
     * As {@link #forward(String, String, StoredMessage, AckWaiters.Waiter)}, with the message's cluster-wide id
     * (QoS 2, or null), as a delivery again after a node died ({@code redelivery}), {@code since} a time when it
     * was first undeliverable (0: never).
     */
    Backpressure forward(String node, String group, StoredMessage message, AckWaiters.Waiter waiter,
                         String deliveryId, boolean redelivery, long since) {
        boolean schedule;
        NodeWindow window;
        synchronized (this) {
            Batch batch = open.get(node);
            schedule = batch == null;
            if (schedule) {
                batch = new Batch(node);
                open.put(node, batch);
            }
            window = batch.window;
            batch.writer.forward(group, message, waiter == null ? 0 : waiter.seq, deliveryId, redelivery);
            if (waiter != null) {
                if (batch.waiting == null) {
                    batch.waiting = new ArrayList<>();
                }
                Pending pending = new Pending(group, message, deliveryId, redelivery, waiter, since, false);
                batch.waiting.add(pending);
                waiter.node = node;
                waiter.pending = pending;
            }
            if (closeIfFull(batch)) {
                schedule = false;
            }
        }
        if (schedule) {
            scheduleFlush(node);
        }
        return window.isCongested() ? window : null;
    }

    /** Acknowledges forwarded messages {@code seqs[0..n)} to the node they came from. */
    void ack(String node, long[] seqs, int n) {
        control(node, writer -> writer.acks(seqs, n));
    }

    /** Credits {@code bytes} of the batches {@code node} sent here back to it: they are delivered. */
    void credit(String node, long bytes) {
        control(node, writer -> writer.credit(bytes));
    }

    /** Appends a control frame (acknowledgements, credit) to the open batch to {@code node}: one per batch received. */
    private void control(String node, java.util.function.Consumer<FrameBatch.Writer> frame) {
        boolean schedule;
        synchronized (this) {
            Batch batch = open.get(node);
            schedule = batch == null;
            if (schedule) {
                batch = new Batch(node);
                open.put(node, batch);
            }
            frame.accept(batch.writer);
            if (closeIfFull(batch)) {
                schedule = false;
            }
        }
        if (schedule) {
            scheduleFlush(node);
        }
    }

    /** {@code node} credited {@code bytes} of the batches sent to it. */
    void credited(String node, long bytes) {
        NodeWindow window = windows.get(node);
        if (window != null) {
            window.credited(bytes);
        }
    }

    private boolean closeIfFull(Batch batch) {
        if (batch.writer.size() < MAX_BATCH_BYTES) {
            return false;
        }
        open.remove(batch.node);
        sendLocked(batch);
        return true;
    }

    private void scheduleFlush(String node) {
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        if (loop != null) {
            loop.execute(() -> flush(node)); // after what this event-loop pass still adds
        } else {
            flush(node);
        }
    }

    private void flush(String node) {
        synchronized (this) {
            Batch batch = open.remove(node);
            if (batch != null) {
                sendLocked(batch);
            }
        }
    }

    /** Called under this object's lock, so that batches reach the bus in the order they were closed. */
    private void sendLocked(Batch batch) {
        byte[] payload = batch.writer.toByteArray();
        int forwards = batch.writer.forwards;
        List<Pending> waiting = batch.waiting;
        pendingBytes.addAndGet(payload.length);
        NodeWindow window = forwards > 0 ? batch.window : null;
        if (window != null) {
            window.sent(payload.length); // credited back by the node once delivered
        }
        bus.sendOrdered(batch.node, payload).whenComplete((receivers, error) -> {
            pendingBytes.addAndGet(-payload.length);
            if (window != null && (error != null || receivers == 0)) {
                window.credited(payload.length); // nobody got it: no credit will come
            }
            if (error != null) {
                if (waiting != null) {
                    waiting.forEach(p -> waiters.fail(p.waiter(), error));
                }
            } else if (receivers == 0) {
                // that node's inbox is not listening (it died, or lost Redis): its QoS 0 messages are lost
                int qos0 = forwards - (waiting == null ? 0 : waiting.size());
                if (qos0 > 0) {
                    unreachable.lost(batch.node, qos0);
                }
                if (waiting != null) {
                    // QoS 1/2: their publishers wait while they are sent again (docs/cluster-durability.md)
                    unreachable.notListening(batch.node, waiting);
                }
            }
        });
    }
}
