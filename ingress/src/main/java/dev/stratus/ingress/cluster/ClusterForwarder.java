package dev.stratus.ingress.cluster;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forwards frames to other nodes in batches: the frames for one node that arrive during one event-loop pass go out
 * as one {@code PUBLISH} of a batch frame, so that a busy node costs Redis one command per pass and target, not
 * one per message (as writes to a socket are flushed once per pass). Batches to a node are sent in order on the
 * bus's single publishing connection, so messages from one publisher reach a subscriber on another node in the
 * order they were published [MQTT-4.6.0-6].
 * <p>
 * Each frame's future completes when its batch has been handed to Redis (QoS 1/2 publishers are acknowledged
 * then). Bytes sent and not yet answered by Redis are counted; past {@link #MAX_PENDING_BYTES} QoS 0 frames are
 * dropped (and counted by the caller) rather than queued without bound.
 */
final class ClusterForwarder {

    /** A batch is sent at once when it reaches this size. */
    static final int MAX_BATCH_BYTES = 256 * 1024;
    /** QoS 0 frames are dropped past this much data in flight to Redis. */
    static final long MAX_PENDING_BYTES = 32L * 1024 * 1024;

    private final ClusterBus bus;
    private final Map<String, Batch> open = new HashMap<>();
    private final AtomicLong pendingBytes = new AtomicLong();

    ClusterForwarder(ClusterBus bus) {
        this.bus = bus;
    }

    private static final class Batch {
        final String node;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        final CompletableFuture<Long> sent = new CompletableFuture<>();
        int frames;

        Batch(String node) {
            this.node = node;
        }
    }

    /** Whether a QoS 0 frame should be dropped: Redis is not keeping up (or unreachable). */
    boolean saturated() {
        return pendingBytes.get() > MAX_PENDING_BYTES;
    }

    /**
     * Adds a frame for {@code node}.
     *
     * @return completes with the number of inboxes that got the batch (0: that node is not listening)
     */
    CompletableFuture<Long> send(String node, byte[] frame) {
        Batch full = null;
        CompletableFuture<Long> result;
        boolean schedule = false;
        synchronized (this) {
            Batch batch = open.get(node);
            if (batch == null) {
                batch = new Batch(node);
                open.put(node, batch);
                schedule = true;
            }
            ClusterFrame.appendToBatch(batch.bytes, frame);
            batch.frames++;
            result = batch.sent;
            if (batch.bytes.size() >= MAX_BATCH_BYTES) {
                open.remove(node);
                full = batch;
                sendLocked(full);
                schedule = false;
            }
        }
        if (schedule) {
            EventExecutor loop = ThreadExecutorMap.currentExecutor();
            if (loop != null) {
                loop.execute(() -> flush(node)); // after what this event-loop pass still adds
            } else {
                flush(node);
            }
        }
        return result;
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
        byte[] payload = batch.bytes.toByteArray();
        pendingBytes.addAndGet(payload.length);
        bus.sendOrdered(batch.node, payload).whenComplete((receivers, error) -> {
            pendingBytes.addAndGet(-payload.length);
            if (error != null) {
                batch.sent.completeExceptionally(error);
            } else {
                batch.sent.complete(receivers);
            }
        });
    }
}
