package dev.stratus.state.memory;

import dev.stratus.state.NodeRegistry;
import dev.stratus.state.RouteStore;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * The nodes of one process (several broker nodes in one JVM, in tests). Deadlines and claims are compared with the
 * registry's {@link Clock}; every method runs under the registry's monitor.
 */
public final class InMemoryNodeRegistry implements NodeRegistry {

    private final Clock clock;
    private final Map<String, Long> deadlines = new HashMap<>();
    private final Map<String, Claim> claims = new HashMap<>();

    public InMemoryNodeRegistry(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized CompletionStage<Boolean> heartbeat(String nodeId, Duration ttl) {
        RouteStore.checkNodeId(nodeId);
        long now = clock.millis();
        Long previous = deadlines.put(nodeId, now + ttl.toMillis());
        return CompletableFuture.completedFuture(previous != null && previous > now);
    }

    @Override
    public synchronized CompletionStage<Boolean> deregister(String nodeId) {
        claims.remove(nodeId);
        return CompletableFuture.completedFuture(deadlines.remove(nodeId) != null);
    }

    @Override
    public synchronized CompletionStage<Set<String>> liveNodes() {
        long now = clock.millis();
        return CompletableFuture.completedFuture(deadlines.entrySet().stream()
                .filter(e -> e.getValue() > now).map(Map.Entry::getKey).collect(Collectors.toUnmodifiableSet()));
    }

    @Override
    public synchronized CompletionStage<Set<String>> expiredNodes() {
        long now = clock.millis();
        return CompletableFuture.completedFuture(deadlines.entrySet().stream()
                .filter(e -> e.getValue() <= now).map(Map.Entry::getKey).collect(Collectors.toUnmodifiableSet()));
    }

    @Override
    public synchronized CompletionStage<Boolean> claimCleanup(String deadNodeId, String claimantNodeId,
                                                               Duration lease) {
        RouteStore.checkNodeId(claimantNodeId);
        long now = clock.millis();
        Long deadline = deadlines.get(deadNodeId);
        if (deadline == null || deadline > now) {
            return CompletableFuture.completedFuture(false);
        }
        Claim claim = claims.get(deadNodeId);
        if (claim != null && claim.until > now && !claim.claimant.equals(claimantNodeId)) {
            return CompletableFuture.completedFuture(false);
        }
        claims.put(deadNodeId, new Claim(claimantNodeId, now + lease.toMillis()));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public synchronized CompletionStage<Boolean> forget(String deadNodeId, String claimantNodeId) {
        long now = clock.millis();
        Claim claim = claims.get(deadNodeId);
        if (claim == null || claim.until <= now || !claim.claimant.equals(claimantNodeId)) {
            return CompletableFuture.completedFuture(false);
        }
        claims.remove(deadNodeId);
        Long deadline = deadlines.get(deadNodeId);
        if (deadline == null || deadline > now) {
            return CompletableFuture.completedFuture(false);
        }
        deadlines.remove(deadNodeId);
        return CompletableFuture.completedFuture(true);
    }

    private record Claim(String claimant, long until) {
    }
}
