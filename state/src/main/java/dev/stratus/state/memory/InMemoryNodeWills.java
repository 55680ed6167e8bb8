package dev.stratus.state.memory;

import dev.stratus.state.NodeWills;
import dev.stratus.state.model.SessionKey;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** Node wills in one process. */
public final class InMemoryNodeWills implements NodeWills {

    private final Map<String, Map<SessionKey, byte[]>> wills = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Void> put(String nodeId, SessionKey key, byte[] will) {
        wills.computeIfAbsent(nodeId, n -> new ConcurrentHashMap<>()).put(key, will.clone());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> remove(String nodeId, SessionKey key) {
        Map<SessionKey, byte[]> m = wills.get(nodeId);
        if (m != null) {
            m.remove(key);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Map<SessionKey, byte[]>> list(String nodeId) {
        return CompletableFuture.completedFuture(Map.copyOf(wills.getOrDefault(nodeId, Map.of())));
    }

    @Override
    public CompletionStage<Void> clear(String nodeId) {
        wills.remove(nodeId);
        return CompletableFuture.completedFuture(null);
    }
}
