package dev.stratus.state;

import dev.stratus.state.model.RouteSnapshot;
import dev.stratus.state.model.TenantId;

import java.util.concurrent.CompletionStage;

/**
 * Per tenant, the cluster's route table: topic filter to the set of nodes that have subscribers matching it. A node
 * adds a route when it gets its first local subscriber of a filter and removes it with the last; a publishing node
 * forwards a message to the nodes whose filters match. Routes change rarely and messages often, so every node
 * keeps a replica ({@link RouteReplica}): a {@link #snapshot} plus the change feed of {@link #watch}.
 * <p>
 * Every change increments the tenant's version by exactly one, and the feed delivers changes in version order.
 * A listener that sees a gap, or is told to resynchronise ({@link RouteListener#onResync}, e.g. after the feed's
 * connection was lost and re-established), takes a new snapshot.
 */
public interface RouteStore extends AutoCloseable {

    /** Adds {@code nodeId} to the nodes of {@code filter}. @return true when the set changed */
    CompletionStage<Boolean> addRoute(TenantId tenant, String filter, String nodeId);

    /** Removes {@code nodeId} from the nodes of {@code filter}. @return true when the set changed */
    CompletionStage<Boolean> removeRoute(TenantId tenant, String filter, String nodeId);

    /**
     * Removes the node from every filter of the tenant, e.g. when cleaning up after a dead node; each removal is a
     * change of its own. @return how many routes were removed
     */
    CompletionStage<Integer> removeNode(TenantId tenant, String nodeId);

    CompletionStage<RouteSnapshot> snapshot(TenantId tenant);

    /**
     * Delivers the changes of the tenant's table made after the returned stage completed (and possibly some made
     * shortly before: a replica ignores versions it already has). Listeners are called one change at a time, in
     * version order, on a thread of the store; they must not block.
     */
    CompletionStage<RouteFeed> watch(TenantId tenant, RouteListener listener);

    /** Stops every feed and releases the store's connections. Idempotent. */
    @Override
    void close();

    /** Node ids are non-empty and must not contain U+0000 (the Redis backend separates node and filter with it). */
    static String checkNodeId(String nodeId) {
        if (nodeId == null || nodeId.isEmpty() || nodeId.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid node id: '" + nodeId + "'");
        }
        return nodeId;
    }
}
