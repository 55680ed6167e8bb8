package dev.stratus.ingress.cluster;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.state.model.StoredMessage;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * QoS 1/2 messages forwarded to a node whose inbox was not listening: it died, or lost Redis for a moment. Their
 * publishers are not acknowledged yet, and refusing them would make them publish again, which gives the message a
 * second time to every live subscriber that had it (for QoS 2, a duplicate the issue forbids). Instead they are
 * sent again, every {@link #RETRY_MILLIS}:
 * <ul>
 *   <li>while the node still has routes in this node's replica: to that node (it may be back);</li>
 *   <li>once its routes are gone (a survivor took custody of its persistent sessions, registered their routes,
 *       then removed the dead node's): delivered again, with the {@link FrameBatch#REDELIVER} frame, to the
 *       persistent sessions of every node whose routes match, this one included. Its live subscribers had it
 *       already; its clean sessions are gone; its persistent sessions are in custody or back on some node, and a
 *       QoS 2 message carries its delivery id, by which each session takes it once (the first delivery and the
 *       redelivery may both reach a session that moved meanwhile). A QoS 1 message may come twice.</li>
 * </ul>
 * The publisher is acknowledged when that is done; refused, as before, if the node neither came back nor had its
 * routes removed within {@link #GIVE_UP_MILLIS}.
 */
final class Redeliveries implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Redeliveries.class);
    static final long RETRY_MILLIS = 500;
    /** Longer than a dead node's cleanup (node TTL, then custody), shorter than the delivery-id window. */
    static final long GIVE_UP_MILLIS = 30_000;

    private final Vertx vertx;
    private final Broker broker;
    private final ClusterRoutes routes;
    private final AckWaiters waiters;
    private final ClusterForwarder forwarder;
    private final Map<String, List<ClusterForwarder.Pending>> parked = new HashMap<>();
    private final Map<String, Long> timers = new HashMap<>();
    private boolean closed;

    Redeliveries(Vertx vertx, Broker broker, ClusterRoutes routes, AckWaiters waiters, ClusterForwarder forwarder) {
        this.vertx = vertx;
        this.broker = broker;
        this.routes = routes;
        this.waiters = waiters;
        this.forwarder = forwarder;
    }

    /** {@code node} was not listening when these were sent to it; their waiters are still pending. */
    void notListening(String node, List<ClusterForwarder.Pending> pending) {
        park(node, pending, false);
    }

    /**
     * {@code node} did not acknowledge this one in time: it may have died after it received it. It is delivered
     * again once the node's routes are gone (never sent to that node again: it may have delivered it); if the node
     * keeps its routes (alive, but not answering) the publisher is refused after {@link #GIVE_UP_MILLIS}.
     */
    void timedOut(AckWaiters.Waiter waiter) {
        park(waiter.node, List.of(waiter.pending), true);
    }

    private void park(String node, List<ClusterForwarder.Pending> pending, boolean timedOut) {
        long now = System.currentTimeMillis();
        synchronized (this) {
            if (closed) {
                pending.forEach(p -> waiters.fail(p.waiter(), new IllegalStateException("node is leaving")));
                return;
            }
            List<ClusterForwarder.Pending> list = parked.computeIfAbsent(node, n -> new ArrayList<>());
            for (ClusterForwarder.Pending p : pending) {
                waiters.detach(p.waiter()); // waits as long as the retries take, not the Ack timeout
                list.add(p.parked(now, timedOut));
            }
            if (!timers.containsKey(node)) {
                timers.put(node, vertx.setTimer(RETRY_MILLIS, id -> retry(node)));
                LOG.debugf("node %s is not listening: %d forwarded messages wait to be sent again", node,
                        pending.size());
            }
        }
    }

    private void retry(String node) {
        List<ClusterForwarder.Pending> list;
        synchronized (this) {
            timers.remove(node);
            list = parked.remove(node);
        }
        if (list == null) {
            return;
        }
        boolean gone = !routes.hasRoutes(node);
        long now = System.currentTimeMillis();
        int redelivered = 0;
        List<ClusterForwarder.Pending> waiting = new ArrayList<>();
        for (ClusterForwarder.Pending p : list) {
            if (now - p.since() > GIVE_UP_MILLIS) {
                p.waiter().completeExceptionally(new IllegalStateException("node " + node
                        + " did not come back, nor were its routes removed, within " + GIVE_UP_MILLIS + " ms"));
            } else if (!gone && p.unconfirmed()) {
                waiting.add(p); // it may have it: only a redelivery once its routes are gone is safe
            } else if (!gone) {
                // maybe back: to the same node, as before (parked again if it still does not listen)
                forwarder.forward(node, p.group(), p.message(), follow(p.waiter()), p.deliveryId(), p.redelivery(),
                        p.since());
            } else {
                redelivered++;
                redeliver(p);
            }
        }
        if (!waiting.isEmpty()) {
            park(node, waiting, true);
        }
        if (redelivered > 0) {
            LOG.infof("node %s is gone: %d messages forwarded to it delivered again to the sessions it held",
                    node, redelivered);
        }
    }

    private void redeliver(ClusterForwarder.Pending p) {
        StoredMessage message = p.message();
        List<CompletableFuture<?>> all = new ArrayList<>();
        if (p.group() != null) {
            // a shared group's message went to no one else: one member of the group, here or on another node
            if (!broker.deliverToSharedGroup(message, p.group())) {
                List<String> others = routes.groupsFor(message.topic()).getOrDefault(p.group(), List.of());
                if (!others.isEmpty()) {
                    AckWaiters.Waiter w = waiters.register();
                    forwarder.forward(others.get(0), p.group(), message, w, p.deliveryId(), false, p.since());
                    all.add(w);
                }
            }
        } else {
            all.add(redeliverToAll(message, p.deliveryId(), p.since()));
            all.add(broker.redeliver(message, p.deliveryId()).toCompletableFuture());
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            if (e != null) {
                p.waiter().completeExceptionally(e);
            } else {
                p.waiter().complete(Boolean.TRUE);
            }
        });
    }

    /**
     * Delivers a message again to the persistent sessions of every other node whose routes match (not this one's);
     * completes when they all acknowledged.
     */
    CompletableFuture<Boolean> redeliverToAll(StoredMessage message, String deliveryId, long since) {
        java.util.Collection<String> nodes = routes.nodesFor(message.topic());
        if (nodes.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        List<CompletableFuture<?>> all = new ArrayList<>(nodes.size());
        for (String other : nodes) {
            AckWaiters.Waiter w = waiters.register();
            forwarder.forward(other, null, message, w, deliveryId, true, since);
            all.add(w);
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> true);
    }

    /** A new waiter whose outcome is also {@code original}'s. */
    private AckWaiters.Waiter follow(AckWaiters.Waiter original) {
        AckWaiters.Waiter w = waiters.register();
        w.whenComplete((v, e) -> {
            if (e != null) {
                original.completeExceptionally(e);
            } else {
                original.complete(v);
            }
        });
        return w;
    }

    /** Messages waiting here, for diagnostics and tests. */
    synchronized int size() {
        return parked.values().stream().mapToInt(List::size).sum();
    }

    @Override
    public void close() {
        List<ClusterForwarder.Pending> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            timers.values().forEach(vertx::cancelTimer);
            timers.clear();
            parked.values().forEach(all::addAll);
            parked.clear();
        }
        all.forEach(p -> p.waiter().completeExceptionally(new IllegalStateException("node is leaving")));
    }
}
