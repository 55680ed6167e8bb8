package dev.stratus.ingress.broker;

import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the broker engine asks of the cluster it runs in: forwarding messages to the other nodes whose routes
 * match, keeping this node's routes registered, and taking sessions over from other nodes. An embedded broker
 * uses {@link #NONE}: a cluster of one.
 */
public interface ClusterLink {

    CompletionStage<Boolean> NO_REMOTE_MATCH = CompletableFuture.completedFuture(false);
    CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    ClusterLink NONE = new ClusterLink() {
    };

    /**
     * Forwards a message published on this node to every other node with a matching route, and gives it to one
     * member of each matching shared group, on whichever node it chooses ({@code localGroups}: the matching
     * groups that have members here; the cluster delivers to them through
     * {@link Broker#deliverToSharedGroup} when it chooses this node). The stage completes when the message has
     * been handed over (the publisher is acknowledged only then). {@code congested} (may be null) is told about
     * each node that has not yet taken enough of what was forwarded to it, so that the publisher waits for it.
     *
     * @param deliveryId the message's id cluster-wide (QoS 2), or null
     * @return true when some other node has a matching route, or a shared group got it
     */
    default CompletionStage<Boolean> forward(StoredMessage message, java.util.List<SharedGroup> localGroups,
                                             String deliveryId,
                                             java.util.function.Consumer<Backpressure> congested) {
        return NO_REMOTE_MATCH;
    }

    /**
     * A new cluster-wide id for a QoS 2 message published on this node, or null (an embedded broker needs none):
     * the persistent sessions that get it remember it, so that delivering it again after a node died does not
     * give it to them twice [MQTT-4.3.3-2].
     */
    default String newDeliveryId() {
        return null;
    }

    /**
     * Delivers a message again to the persistent sessions of every other node with a matching route (see
     * {@link Broker#republish}); completes when they have it.
     */
    default CompletionStage<Boolean> redeliver(StoredMessage message, String deliveryId) {
        return NO_REMOTE_MATCH;
    }

    /** This node has its first subscriber of {@code filter}; completes when the route is registered. */
    default CompletionStage<Void> filterAdded(String filter) {
        return DONE;
    }

    /** This node has no subscriber of {@code filter} any more. */
    default void filterRemoved(String filter) {
    }

    /**
     * Claims the session for this node cluster-wide; when another node owned it, that node disconnects its
     * connection (MQTT 5: 0x8E), hands its state over to the store, and forgets it. Completes when the session's
     * state in the store is the one to resume.
     */
    default CompletionStage<Void> claimSession(SessionKey key) {
        return DONE;
    }

    /**
     * A connection with a will is connected here: if this node dies, a survivor publishes the will (after its
     * delay, unless the session was resumed meanwhile).
     */
    default void registerWill(SessionKey key, StoredMessage will, long delaySeconds, long expirySeconds) {
    }

    /** The connection ended on this node, which handles (or discarded) its will itself. */
    default void clearWill(SessionKey key) {
    }

    /** Whether the cluster can be reached (always for an embedded broker): feeds readiness. */
    default boolean isReady() {
        return true;
    }
}
