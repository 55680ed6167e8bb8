package dev.stratus.state.memory;

import dev.stratus.state.InflightStore;
import dev.stratus.state.model.InflightMessage;
import dev.stratus.state.model.SessionKey;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per session, the outbound messages in a {@link LinkedHashMap} by packet id (re-putting an id keeps its
 * position) and the inbound QoS 2 ids in a set. Both are only touched inside {@link ConcurrentHashMap#compute}
 * for the session's key; a session with neither is removed from the map.
 */
public final class InMemoryInflightStore implements InflightStore {

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final ConcurrentHashMap<SessionKey, Window> windows = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Void> put(SessionKey key, InflightMessage message) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        windows.compute(key, (k, window) -> {
            Window w = window == null ? new Window() : window;
            w.outbound.put(message.packetId(), message);
            return w;
        });
        return DONE;
    }

    @Override
    public CompletionStage<Boolean> remove(SessionKey key, int packetId) {
        Objects.requireNonNull(key, "key");
        boolean[] removed = new boolean[1];
        windows.computeIfPresent(key, (k, w) -> {
            removed[0] = w.outbound.remove(packetId) != null;
            return w.orNullIfEmpty();
        });
        return CompletableFuture.completedFuture(removed[0]);
    }

    @Override
    public CompletionStage<List<InflightMessage>> list(SessionKey key) {
        Objects.requireNonNull(key, "key");
        @SuppressWarnings("unchecked")
        List<InflightMessage>[] list = new List[] {List.of()};
        windows.computeIfPresent(key, (k, w) -> {
            list[0] = List.copyOf(w.outbound.values());
            return w;
        });
        return CompletableFuture.completedFuture(list[0]);
    }

    @Override
    public CompletionStage<Boolean> markReceived(SessionKey key, int packetId) {
        Objects.requireNonNull(key, "key");
        if (packetId < 1 || packetId > 65535) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("packetId " + packetId));
        }
        boolean[] added = new boolean[1];
        windows.compute(key, (k, window) -> {
            Window w = window == null ? new Window() : window;
            added[0] = w.received.add(packetId);
            return w;
        });
        return CompletableFuture.completedFuture(added[0]);
    }

    @Override
    public CompletionStage<Boolean> markReceived(SessionKey key, int packetId, String deliveryId) {
        Objects.requireNonNull(deliveryId, "deliveryId");
        return markReceived(key, packetId).thenApply(added -> {
            windows.computeIfPresent(key, (k, w) -> {
                w.receivedIds.put(packetId, deliveryId);
                return w;
            });
            return added;
        });
    }

    @Override
    public CompletionStage<Map<Integer, String>> receivedDeliveryIds(SessionKey key) {
        Objects.requireNonNull(key, "key");
        Map<Integer, String>[] ids = new Map[] {Map.of()};
        windows.computeIfPresent(key, (k, w) -> {
            ids[0] = Map.copyOf(w.receivedIds);
            return w;
        });
        return CompletableFuture.completedFuture(ids[0]);
    }

    @Override
    public CompletionStage<Boolean> release(SessionKey key, int packetId) {
        Objects.requireNonNull(key, "key");
        boolean[] released = new boolean[1];
        windows.computeIfPresent(key, (k, w) -> {
            released[0] = w.received.remove(packetId);
            w.receivedIds.remove(packetId);
            return w.orNullIfEmpty();
        });
        return CompletableFuture.completedFuture(released[0]);
    }

    @Override
    public CompletionStage<Set<Integer>> received(SessionKey key) {
        Objects.requireNonNull(key, "key");
        @SuppressWarnings("unchecked")
        Set<Integer>[] received = new Set[] {Set.of()};
        windows.computeIfPresent(key, (k, w) -> {
            received[0] = Set.copyOf(w.received);
            return w;
        });
        return CompletableFuture.completedFuture(received[0]);
    }

    @Override
    public CompletionStage<Void> clear(SessionKey key) {
        Objects.requireNonNull(key, "key");
        windows.remove(key);
        return DONE;
    }

    /** Mutable; guarded by the map's per-key lock. */
    private static final class Window {
        final Map<Integer, InflightMessage> outbound = new LinkedHashMap<>();
        final Set<Integer> received = new LinkedHashSet<>();
        final Map<Integer, String> receivedIds = new java.util.HashMap<>();

        Window orNullIfEmpty() {
            return outbound.isEmpty() && received.isEmpty() ? null : this;
        }
    }
}
