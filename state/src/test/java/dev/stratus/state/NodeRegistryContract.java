package dev.stratus.state;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.runConcurrently;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The behaviour every {@link NodeRegistry} backend must have. Extend it once per backend. The registry is
 * cluster-wide (not per tenant), so every test uses fresh random node ids and only asserts about its own nodes.
 */
public abstract class NodeRegistryContract {

    private static final Duration LONG = Duration.ofHours(1);
    private static final Duration SHORT = Duration.ofMillis(30);
    private static final Duration WAIT = Duration.ofSeconds(5);

    protected NodeRegistry registry;

    /** A registry reading the real (system or server) clock. It may share its backend with other tests. */
    protected abstract NodeRegistry createRegistry();

    @BeforeEach
    void setUpRegistry() {
        registry = createRegistry();
    }

    private static String newNode() {
        return "node-" + UUID.randomUUID();
    }

    /** Registers a node whose heartbeat has already run out. */
    private String expiredNode() {
        String node = newNode();
        join(registry.heartbeat(node, SHORT));
        await().atMost(WAIT).until(() -> join(registry.expiredNodes()).contains(node));
        return node;
    }

    @Test
    void heartbeatRegistersALiveNode() {
        String node = newNode();

        assertThat(join(registry.heartbeat(node, LONG))).isFalse();

        assertThat(join(registry.liveNodes())).contains(node);
        assertThat(join(registry.expiredNodes())).doesNotContain(node);
        assertThat(join(registry.heartbeat(node, LONG))).isTrue();
    }

    @Test
    void nodeExpiresWhenItsHeartbeatsStop() {
        String node = expiredNode();

        assertThat(join(registry.liveNodes())).doesNotContain(node);
        // it comes back: live again, and told that it had expired
        assertThat(join(registry.heartbeat(node, LONG))).isFalse();
        assertThat(join(registry.liveNodes())).contains(node);
        assertThat(join(registry.expiredNodes())).doesNotContain(node);
    }

    @Test
    void deregisteredNodeIsNeitherLiveNorExpired() {
        String node = newNode();
        join(registry.heartbeat(node, LONG));

        assertThat(join(registry.deregister(node))).isTrue();
        assertThat(join(registry.deregister(node))).isFalse();

        assertThat(join(registry.liveNodes())).doesNotContain(node);
        assertThat(join(registry.expiredNodes())).doesNotContain(node);
    }

    @Test
    void onlyExpiredNodesCanBeClaimed() {
        String live = newNode();
        join(registry.heartbeat(live, LONG));

        assertThat(join(registry.claimCleanup(live, newNode(), LONG))).isFalse();
        assertThat(join(registry.claimCleanup(newNode(), newNode(), LONG))).isFalse();
    }

    @Test
    void exactlyOneOfManyClaimantsWins() {
        String dead = expiredNode();
        String[] claimants = new String[8];
        for (int i = 0; i < claimants.length; i++) {
            claimants[i] = newNode();
        }
        AtomicInteger winners = new AtomicInteger();
        String[] winner = new String[1];

        runConcurrently(claimants.length, i -> {
            if (join(registry.claimCleanup(dead, claimants[i], LONG))) {
                winners.incrementAndGet();
                winner[0] = claimants[i];
            }
        });

        assertThat(winners.get()).isEqualTo(1);
        // the winner may renew its claim; the others still lose
        assertThat(join(registry.claimCleanup(dead, winner[0], LONG))).isTrue();
        for (String claimant : claimants) {
            if (!claimant.equals(winner[0])) {
                assertThat(join(registry.claimCleanup(dead, claimant, LONG))).isFalse();
            }
        }
    }

    @Test
    void forgetAfterCleanupRemovesTheNodeForGood() {
        String dead = expiredNode();
        String claimant = newNode();
        String other = newNode();
        join(registry.claimCleanup(dead, claimant, LONG));

        assertThat(join(registry.forget(dead, other))).isFalse();
        assertThat(join(registry.forget(dead, claimant))).isTrue();

        assertThat(join(registry.expiredNodes())).doesNotContain(dead);
        // nobody can claim it again, so the cleanup ran exactly once
        assertThat(join(registry.claimCleanup(dead, other, LONG))).isFalse();
        assertThat(join(registry.forget(dead, claimant))).isFalse();
    }

    @Test
    void aLapsedClaimPassesToAnotherNode() {
        String dead = expiredNode();
        String first = newNode();
        String second = newNode();
        assertThat(join(registry.claimCleanup(dead, first, SHORT))).isTrue();

        // the first claimant died during the cleanup: its lease runs out and another node takes over
        await().atMost(WAIT).until(() -> join(registry.claimCleanup(dead, second, LONG)));

        assertThat(join(registry.forget(dead, first))).isFalse();
        assertThat(join(registry.forget(dead, second))).isTrue();
    }

    @Test
    void aNodeThatComesBackIsNotForgotten() {
        String node = expiredNode();
        String claimant = newNode();
        assertThat(join(registry.claimCleanup(node, claimant, LONG))).isTrue();

        join(registry.heartbeat(node, LONG));

        assertThat(join(registry.forget(node, claimant))).isFalse();
        assertThat(join(registry.liveNodes())).contains(node);
    }
}
