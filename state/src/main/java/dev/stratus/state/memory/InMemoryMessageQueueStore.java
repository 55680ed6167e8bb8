package dev.stratus.state.memory;

import dev.stratus.state.MessageQueueStore;
import dev.stratus.state.model.EnqueueResult;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link ArrayDeque} per session. A deque is only touched inside {@link ConcurrentHashMap#compute} for its
 * key, which serialises the operations on one queue; an emptied queue is removed from the map in the same step.
 */
public final class InMemoryMessageQueueStore implements MessageQueueStore {

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final ConcurrentHashMap<SessionKey, ArrayDeque<StoredMessage>> queues = new ConcurrentHashMap<>();

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
            ArrayDeque<StoredMessage> q = queue == null ? new ArrayDeque<>() : queue;
            q.addLast(message);
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
                polled.add(q.pollFirst());
            }
            return q.isEmpty() ? null : q;
        });
        return CompletableFuture.completedFuture(List.copyOf(polled));
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
        return DONE;
    }
}
