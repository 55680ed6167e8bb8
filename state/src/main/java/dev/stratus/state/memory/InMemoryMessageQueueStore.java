package dev.stratus.state.memory;

import dev.stratus.state.MessageQueueStore;
import dev.stratus.state.model.EnqueueResult;
import dev.stratus.state.model.QueuedMessage;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@link ArrayDeque} per session. A deque is only touched inside {@link ConcurrentHashMap#compute} for its
 * key, which serialises the operations on one queue; an emptied queue is removed from the map in the same step.
 * Sequence numbers come from one counter per store, so they increase within every queue and are never reused,
 * even after a queue was emptied and removed.
 */
public final class InMemoryMessageQueueStore implements MessageQueueStore {

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final ConcurrentHashMap<SessionKey, ArrayDeque<QueuedMessage>> queues = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    /** Per session: delivery id -> when {@link #appendOnce} appended it, oldest first. */
    private final ConcurrentHashMap<SessionKey, java.util.LinkedHashMap<String, Long>> delivered =
            new ConcurrentHashMap<>();

    /**
     * @param maxQueued at least 0; with 0 the message is dropped at once (the result reports it as dropped)
     */
    @Override
    public CompletionStage<EnqueueResult> enqueue(SessionKey key, StoredMessage message, int maxQueued) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        if (maxQueued < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("maxQueued " + maxQueued));
        }
        EnqueueResult[] result = new EnqueueResult[1];
        queues.compute(key, (k, queue) -> {
            ArrayDeque<QueuedMessage> q = queue == null ? new ArrayDeque<>() : queue;
            q.addLast(new QueuedMessage(sequence.incrementAndGet(), message));
            int dropped = 0;
            while (q.size() > maxQueued) {
                q.pollFirst();
                dropped++;
            }
            result[0] = new EnqueueResult(q.size(), dropped);
            return q.isEmpty() ? null : q;
        });
        return CompletableFuture.completedFuture(result[0]);
    }

    @Override
    public CompletionStage<List<StoredMessage>> poll(SessionKey key, int max) {
        Objects.requireNonNull(key, "key");
        if (max <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<StoredMessage> polled = new ArrayList<>();
        queues.computeIfPresent(key, (k, q) -> {
            while (polled.size() < max && !q.isEmpty()) {
                polled.add(q.pollFirst().message());
            }
            return q.isEmpty() ? null : q;
        });
        return CompletableFuture.completedFuture(List.copyOf(polled));
    }

    @Override
    public CompletionStage<List<QueuedMessage>> peek(SessionKey key, int max) {
        Objects.requireNonNull(key, "key");
        if (max <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<QueuedMessage> peeked = new ArrayList<>();
        queues.computeIfPresent(key, (k, q) -> {
            for (QueuedMessage queued : q) {
                if (peeked.size() == max) {
                    break;
                }
                peeked.add(queued);
            }
            return q;
        });
        return CompletableFuture.completedFuture(List.copyOf(peeked));
    }

    @Override
    public CompletionStage<Integer> ack(SessionKey key, long upToSequence) {
        Objects.requireNonNull(key, "key");
        int[] removed = new int[1];
        queues.computeIfPresent(key, (k, q) -> {
            while (!q.isEmpty() && q.peekFirst().sequence() <= upToSequence) {
                q.pollFirst();
                removed[0]++;
            }
            return q.isEmpty() ? null : q;
        });
        return CompletableFuture.completedFuture(removed[0]);
    }

    @Override
    public CompletionStage<Integer> size(SessionKey key) {
        Objects.requireNonNull(key, "key");
        int[] size = new int[1];
        queues.computeIfPresent(key, (k, q) -> {
            size[0] = q.size();
            return q;
        });
        return CompletableFuture.completedFuture(size[0]);
    }

    @Override
    public CompletionStage<Void> clear(SessionKey key) {
        Objects.requireNonNull(key, "key");
        queues.remove(key);
        delivered.remove(key);
        return DONE;
    }

    @Override
    public CompletionStage<dev.stratus.state.model.Appended> append(SessionKey key, StoredMessage message,
                                                                    int maxQueued) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        long[] seq = new long[1];
        int[] dropped = new int[1];
        queues.compute(key, (k, queue) -> {
            ArrayDeque<QueuedMessage> q = queue == null ? new ArrayDeque<>() : queue;
            seq[0] = sequence.incrementAndGet();
            q.addLast(new QueuedMessage(seq[0], message));
            while (q.size() > Math.max(1, maxQueued)) {
                q.pollFirst();
                dropped[0]++;
            }
            return q;
        });
        return CompletableFuture.completedFuture(new dev.stratus.state.model.Appended(seq[0], dropped[0]));
    }

    @Override
    public CompletionStage<Boolean> remove(SessionKey key, long seq) {
        boolean[] removed = new boolean[1];
        queues.computeIfPresent(key, (k, q) -> {
            removed[0] = q.removeIf(m -> m.sequence() == seq);
            return q.isEmpty() ? null : q;
        });
        return CompletableFuture.completedFuture(removed[0]);
    }

    @Override
    public CompletionStage<dev.stratus.state.model.Appended> appendOnce(SessionKey key, StoredMessage message,
                                                                        int maxQueued, String deliveryId,
                                                                        long nowMillis) {
        Objects.requireNonNull(deliveryId, "deliveryId");
        boolean[] seen = new boolean[1];
        // the id check and the append in one step per session: the queue's compute holds its key
        dev.stratus.state.model.Appended[] result = new dev.stratus.state.model.Appended[1];
        queues.compute(key, (k, queue) -> {
            java.util.LinkedHashMap<String, Long> ids = delivered.computeIfAbsent(k, x -> new java.util.LinkedHashMap<>());
            synchronized (ids) {
                var oldest = ids.entrySet().iterator();
                while (oldest.hasNext()) {
                    var e = oldest.next();
                    if (e.getValue() > nowMillis - DELIVERY_ID_WINDOW_MILLIS && ids.size() <= MAX_DELIVERY_IDS) {
                        break;
                    }
                    oldest.remove();
                }
                seen[0] = ids.putIfAbsent(deliveryId, nowMillis) != null;
            }
            if (seen[0]) {
                return queue;
            }
            ArrayDeque<QueuedMessage> q = queue == null ? new ArrayDeque<>() : queue;
            long seq = sequence.incrementAndGet();
            q.addLast(new QueuedMessage(seq, message));
            int dropped = 0;
            while (q.size() > Math.max(1, maxQueued)) {
                q.pollFirst();
                dropped++;
            }
            result[0] = new dev.stratus.state.model.Appended(seq, dropped);
            return q;
        });
        return CompletableFuture.completedFuture(seen[0] ? dev.stratus.state.model.Appended.DUPLICATE : result[0]);
    }
}
