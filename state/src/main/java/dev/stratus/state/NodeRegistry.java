package dev.stratus.state;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The broker nodes of a cluster, kept alive by heartbeats, and the hand-over of a dead node's cleanup (its routes,
 * its sessions' wills and takeovers) to exactly one surviving node.
 * <p>
 * A node calls {@link #heartbeat} well within its TTL. Survivors poll {@link #expiredNodes}, try
 * {@link #claimCleanup} for each, do the cleanup when they won the claim, then {@link #forget} the node. At most one
 * node holds the claim of a dead node at a time; if it dies too, its lease runs out and another node can claim. A
 * node that comes back before it is forgotten is live again: claims fail, and {@link #forget} does not remove it.
 * <p>
 * Time: the Redis backend measures TTLs and leases with the Redis server's clock, so the nodes' clocks need not
 * agree; the memory backend uses its {@link java.time.Clock}.
 */
public interface NodeRegistry {

    /**
     * Registers the node, or refreshes its heartbeat: it is live until {@code ttl} from now.
     *
     * @return true when it was live already; false when it was unknown or had expired (then its state may have been
     * cleaned up by another node, and it must register its routes again)
     */
    CompletionStage<Boolean> heartbeat(String nodeId, Duration ttl);

    /** A graceful leave: the node is removed at once and never listed as expired. @return true when registered */
    CompletionStage<Boolean> deregister(String nodeId);

    CompletionStage<Set<String>> liveNodes();

    /** Registered nodes whose heartbeat has expired and that no node has {@link #forget forgotten} yet. */
    CompletionStage<Set<String>> expiredNodes();

    /**
     * Claims the cleanup of an expired node for {@code lease}.
     *
     * @return true when {@code claimantNodeId} holds the claim now (won it, or already held it: the lease is
     * renewed); false when the node is live or unknown, or another node holds an unexpired claim
     */
    CompletionStage<Boolean> claimCleanup(String deadNodeId, String claimantNodeId, Duration lease);

    /**
     * Ends a cleanup: removes the dead node from the registry and drops the claim, if {@code claimantNodeId} holds
     * the claim and the node is still expired. @return true when the node was removed
     */
    CompletionStage<Boolean> forget(String deadNodeId, String claimantNodeId);
}
