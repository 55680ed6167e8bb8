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

    @Override
    public synchronized CompletionStage<Claim> claim(SessionKey key, String nodeId) {
        long epoch = epochs.merge(key, 1L, Long::sum);
        Owner previous = owners.put(key, new Owner(nodeId, epoch));
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
}
