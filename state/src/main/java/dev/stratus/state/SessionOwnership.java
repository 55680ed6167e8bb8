package dev.stratus.state;

import dev.stratus.state.model.SessionKey;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Which node owns each session, cluster-wide, with a fencing epoch: every claim raises the epoch, so of two nodes
 * that both believe they own a session the one with the lower epoch knows it lost (and a stale release is
 * ignored). A connection claims its session here before it resumes it; the previous owner, if another node, is
 * told to let go.
 */
public interface SessionOwnership {

    /** An owner: the node and the epoch of its claim. */
    record Owner(String nodeId, long epoch) {
    }

    /** The result of a claim: the new owner's epoch, and who owned the session before (null if nobody). */
    record Claim(long epoch, Owner previous) {
    }

    /** Makes {@code nodeId} the owner with a new, higher epoch. */
    CompletionStage<Claim> claim(SessionKey key, String nodeId);

    /** Ends the ownership if {@code (nodeId, epoch)} still holds it. @return true when released */
    CompletionStage<Boolean> release(SessionKey key, String nodeId, long epoch);

    CompletionStage<Optional<Owner>> owner(SessionKey key);

    /**
     * The sessions a node has claimed (some may have been claimed by other nodes since: check {@link #owner}).
     * Lets a survivor find the sessions of a dead node.
     */
    CompletionStage<java.util.Set<SessionKey>> claimedBy(String nodeId);

    /** Forgets which sessions a node claimed (after a survivor has handled them). */
    CompletionStage<Void> forgetNode(String nodeId);
}
