package dev.stratus.state.memory;

import dev.stratus.state.SessionOwnership;
import dev.stratus.state.model.SessionKey;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** Session ownership in one process: for tests of the contract and for a cluster of nodes in one JVM. */
public final class InMemorySessionOwnership implements SessionOwnership {

    private final Map<SessionKey, Owner> owners = new ConcurrentHashMap<>();
    private final Map<SessionKey, Long> epochs = new ConcurrentHashMap<>();
    private final Map<String, java.util.Set<SessionKey>> claimed = new ConcurrentHashMap<>();

    @Override
    public synchronized CompletionStage<Claim> claim(SessionKey key, String nodeId) {
        long epoch = epochs.merge(key, 1L, Long::sum);
        Owner previous = owners.put(key, new Owner(nodeId, epoch));
        claimed.computeIfAbsent(nodeId, n -> ConcurrentHashMap.newKeySet()).add(key);
        return CompletableFuture.completedFuture(new Claim(epoch, previous));
    }

    @Override
    public synchronized CompletionStage<Boolean> release(SessionKey key, String nodeId, long epoch) {
        return CompletableFuture.completedFuture(owners.remove(key, new Owner(nodeId, epoch)));
    }

    @Override
    public CompletionStage<Optional<Owner>> owner(SessionKey key) {
        return CompletableFuture.completedFuture(Optional.ofNullable(owners.get(key)));
    }

    @Override
    public CompletionStage<java.util.Set<SessionKey>> claimedBy(String nodeId) {
        return CompletableFuture.completedFuture(java.util.Set.copyOf(claimed.getOrDefault(nodeId, java.util.Set.of())));
    }

    @Override
    public CompletionStage<Void> forgetNode(String nodeId) {
        claimed.remove(nodeId);
        return CompletableFuture.completedFuture(null);
    }
}
