package dev.stratus.ingress.cluster;

import dev.stratus.ingress.broker.Backpressure;
import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.ClusterLink;
import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.broker.SharedGroup;
import dev.stratus.ingress.config.ClusterConfig;
import dev.stratus.state.NodeRegistry;
import dev.stratus.state.RouteReplica;
import dev.stratus.state.RouteStore;
import dev.stratus.state.SessionOwnership;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A broker node's membership of a cluster on Redis (EMQX's design): every node keeps a replica of the route table
 * ({@code filter -> nodes with subscribers}), kept current through Redis change notifications and reloaded after
 * a reconnect; a message published on a node is matched locally against that replica and forwarded with one Redis
 * {@code PUBLISH} to the inbox of each other node with a matching route; no per-message scan of Redis. A shared
 * group's message goes to one node among those with members (round robin), which gives it to one of its members.
 * Sessions move between nodes through {@link SessionHandover}; membership and dead-node cleanup through
 * {@link NodeMembership}.
 */
public final class RedisCluster implements ClusterLink, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisCluster.class);

    private final Broker broker;
    private final TenantId tenant;
    private final String nodeId;
    private final RouteStore routeStore;
    private final ClusterRoutes routes;
    private final RouteRegistrar registrar;
    private final ClusterBus bus;
    private final ClusterForwarder forwarder;
    private final SessionHandover handover;
    private final NodeMembership membership;
    private final Map<String, AtomicInteger> sharedCursors = new ConcurrentHashMap<>();
    /** Forwarded QoS 1/2 messages waiting for the receiving node's acknowledgement. */
    private final AckWaiters ackWaiters;
    private final Vertx vertx;
    /** How long a receiving node may hold back its Ack while its subscribers catch up (as a paused publisher). */
    static final long MAX_ACK_HOLD_MILLIS = 2_000;
    /** How long the origin waits for an Ack before it gives up (the publisher is then refused). */
    static final long ACK_TIMEOUT_MILLIS = 10_000;
    private RouteReplica replica;

    private final DeadNodeWills wills;
    private final DeadNodeSessions deadSessions;
    private final Redeliveries redeliveries;
    /** Delivery ids: a random prefix per process (ids stay unique across restarts with a fixed node id). */
    private final String deliveryIdPrefix = Long.toString(new java.security.SecureRandom().nextLong() >>> 1, 36) + ':';
    private final java.util.concurrent.atomic.AtomicLong deliveryIds = new java.util.concurrent.atomic.AtomicLong();

    public RedisCluster(Broker broker, ClusterConfig config, Vertx vertx, Redis redis, RouteStore routeStore,
                        NodeRegistry registry, SessionOwnership ownership, dev.stratus.state.NodeWills nodeWills,
                        String keyPrefix) {
        this.broker = broker;
        this.vertx = vertx;
        this.tenant = broker.tenant();
        this.nodeId = config.nodeId();
        this.routeStore = routeStore;
        this.routes = new ClusterRoutes(nodeId);
        this.registrar = new RouteRegistrar(routeStore, tenant, nodeId);
        this.bus = new ClusterBus(vertx, redis, keyPrefix, nodeId, this::receive, this::resync);
        this.ackWaiters = new AckWaiters(vertx, ACK_TIMEOUT_MILLIS, this::timedOut);
        this.forwarder = new ClusterForwarder(bus, tenant, nodeId, ackWaiters, new ClusterForwarder.Unreachable() {
            @Override
            public void lost(String node, int messages) {
                lostAt(node, messages);
            }

            @Override
            public void notListening(String node, List<ClusterForwarder.Pending> pending) {
                redeliveries.notListening(node, pending);
            }
        });
        this.redeliveries = new Redeliveries(vertx, broker, routes, ackWaiters, forwarder);
        this.handover = new SessionHandover(broker, ownership, bus, nodeId, config.takeoverTimeout());
        this.wills = new DeadNodeWills(broker, nodeWills, ownership, vertx, nodeId);
        this.deadSessions = new DeadNodeSessions(broker, ownership, vertx, nodeId);
        // a dead node: its clients' wills first (they check who owns each session), then custody of its sessions
        this.membership = new NodeMembership(vertx, registry, routeStore, tenant, nodeId, config.heartbeatInterval(),
                config.nodeTtl(), () -> registrar.reassert(broker.localFilters()),
                dead -> wills.publishWillsOf(dead).thenCompose(v -> deadSessions.disconnectSessionsOf(dead)));
    }

    /** Joins: inbox, route replica, heartbeat; completes when this node can route. */
    public CompletionStage<Void> start() {
        return bus.start()
                .thenCompose(v -> RouteReplica.start(routeStore, tenant, routes))
                .thenAccept(r -> replica = r)
                .thenCompose(v -> membership.start())
                .thenRun(deadSessions::start)
                .thenRun(() -> LOG.infof("node %s joined the cluster", nodeId));
    }

    public String nodeId() {
        return nodeId;
    }

    @Override
    public String newDeliveryId() {
        return deliveryIdPrefix + deliveryIds.incrementAndGet();
    }

    @Override
    public CompletionStage<Boolean> redeliver(StoredMessage message, String deliveryId) {
        return redeliveries.redeliverToAll(message, deliveryId, 0);
    }

    @Override
    public CompletionStage<Boolean> forward(StoredMessage message, List<SharedGroup> localGroups, String deliveryId,
                                            java.util.function.Consumer<Backpressure> congested) {
        String topic = message.topic();
        List<String> nodes = routes.isEmpty() ? List.of() : routes.nodesFor(topic);
        Map<String, List<String>> remoteGroups = routes.isEmpty() ? Map.of() : routes.groupsFor(topic);
        if (nodes.isEmpty() && remoteGroups.isEmpty() && localGroups.isEmpty()) {
            return NO_REMOTE_MATCH;
        }
        boolean qos0 = message.qos() == 0;
        if (qos0 && !nodes.isEmpty() && forwarder.saturated()) {
            // Redis does not keep up (or is unreachable): QoS 0 is dropped and counted rather than queued
            broker.stats().dropped(DropReason.NODE_UNREACHABLE, nodes.size());
            nodes = List.of();
        }
        boolean matched = !nodes.isEmpty();
        // QoS 0: done once in a batch (nobody waits for it); QoS 1/2: done when the receiving node acknowledges
        CompletableFuture<Boolean> single = null;
        List<CompletableFuture<Boolean>> more = null;
        for (String node : nodes) {
            CompletableFuture<Boolean> f = forwardTo(node, null, message, deliveryId, congested);
            if (f != null) {
                if (single == null) {
                    single = f;
                } else {
                    (more == null ? more = new ArrayList<>() : more).add(f);
                }
            }
        }
        if (!remoteGroups.isEmpty() || !localGroups.isEmpty()) {
            // shared groups: one node among those with members, this one included when it has some
            Map<String, SharedGroup> local = new HashMap<>();
            localGroups.forEach(g -> local.put(g.subscriptionFilter(), g));
            Set<String> all = new java.util.HashSet<>(remoteGroups.keySet());
            all.addAll(local.keySet());
            for (String group : all) {
                List<String> candidates = new ArrayList<>(remoteGroups.getOrDefault(group, List.of()));
                if (local.containsKey(group)) {
                    candidates.add(nodeId);
                }
                candidates.sort(null);
                int i = Math.floorMod(sharedCursors.computeIfAbsent(group, g -> new AtomicInteger())
                        .getAndIncrement(), candidates.size());
                String chosen = candidates.get(i);
                matched = true;
                if (chosen.equals(nodeId)) {
                    broker.deliverToSharedGroup(message, local.get(group), null);
                } else {
                    CompletableFuture<Boolean> f = forwardTo(chosen, group, message, deliveryId, congested);
                    if (f != null) {
                        if (single == null) {
                            single = f;
                        } else {
                            (more == null ? more = new ArrayList<>() : more).add(f);
                        }
                    }
                }
            }
        }
        if (single == null) {
            return matched ? MATCHED : UNMATCHED;
        }
        if (more == null && matched) {
            return single; // completes with true
        }
        more = more == null ? new ArrayList<>() : more;
        more.add(single);
        boolean result = matched;
        return CompletableFuture.allOf(more.toArray(CompletableFuture[]::new)).thenApply(v -> result);
    }

    private static final CompletableFuture<Boolean> MATCHED = CompletableFuture.completedFuture(true);
    private static final CompletableFuture<Boolean> UNMATCHED = CompletableFuture.completedFuture(false);

    /**
     * Forwards a message; for QoS 1/2 returns what completes when the receiving node has taken it and its
     * subscribers keep up: so the publisher's acknowledgement waits for the other node, and its inflight window
     * slows it down when a subscriber there cannot keep up (back-pressure across nodes, as on one node). QoS 0:
     * null, nothing to wait for. {@code congested} (may be null) is told when that node's window is full.
     */
    private CompletableFuture<Boolean> forwardTo(String node, String group, StoredMessage message,
                                                 String deliveryId,
                                                 java.util.function.Consumer<Backpressure> congested) {
        AckWaiters.Waiter waiter = message.qos() == 0 ? null : ackWaiters.register();
        Backpressure full = forwarder.forward(node, group, message, waiter, deliveryId, false, 0);
        if (full != null && congested != null) {
            congested.accept(full);
        }
        return waiter;
    }

    private void timedOut(AckWaiters.Waiter waiter) {
        redeliveries.timedOut(waiter);
    }

    private void lostAt(String node, int messages) {
        // that node's inbox is not listening (it died, or lost Redis): what it would have delivered is lost
        broker.stats().dropped(DropReason.NODE_UNREACHABLE, messages);
        LOG.debugf("node %s is not listening; %d forwarded messages are lost for it", node, messages);
    }

    /**
     * What one received batch owes its origin: the sequence numbers to acknowledge at once (one frame of ranges
     * per batch, not one per message), those to hold until the connections here that lag catch up, and the credit
     * of its bytes (flow control, see {@link NodeWindow}), held until every connection here that lagged while the
     * batch was delivered catches up.
     */
    private final class Inbound implements FrameBatch.Handler {
        private final int batchBytes;
        int forwards;
        long[] acks;
        int nAcks;
        long[] held;
        int nHeld;
        List<Backpressure> congested;
        final List<Backpressure> scratch = new ArrayList<>(2);
        /** The connections that lagged while this batch was delivered; allocated on first use. */
        List<Backpressure> lagging;
        private final java.util.function.Consumer<Backpressure> lag = this::lagged;

        Inbound(int batchBytes) {
            this.batchBytes = batchBytes;
        }

        private void lagged(Backpressure sink) {
            if (lagging == null) {
                lagging = new ArrayList<>(2);
            }
            if (!lagging.contains(sink)) {
                lagging.add(sink);
            }
        }

        /** Store writes of this batch's QoS 1/2 deliveries (offline sessions' queues, write-ahead appends). */
        List<CompletableFuture<?>> writes;

        @Override
        public void forward(TenantId t, String origin, String group, StoredMessage message, long seq,
                            String deliveryId, boolean redelivery) {
            if (!t.equals(tenant)) {
                return;
            }
            forwards++;
            CompletionStage<Boolean> delivered = redelivery ? broker.redeliver(message, deliveryId)
                    : deliver(group, message, seq > 0 ? scratch::add : lag, deliveryId);
            if (seq > 0 && !delivered.toCompletableFuture().isDone()) {
                if (writes == null) {
                    writes = new ArrayList<>();
                }
                writes.add(delivered.toCompletableFuture());
            }
            if (seq > 0) {
                if (scratch.isEmpty()) {
                    if (acks == null) {
                        acks = new long[64];
                    } else if (nAcks == acks.length) {
                        acks = java.util.Arrays.copyOf(acks, nAcks * 2);
                    }
                    acks[nAcks++] = seq;
                } else {
                    if (held == null) {
                        held = new long[16];
                        congested = new ArrayList<>(2);
                    } else if (nHeld == held.length) {
                        held = java.util.Arrays.copyOf(held, nHeld * 2);
                    }
                    held[nHeld++] = seq;
                    for (Backpressure sink : scratch) {
                        if (!congested.contains(sink)) {
                            congested.add(sink);
                        }
                        lagged(sink);
                    }
                    scratch.clear();
                }
            }
        }

        private CompletionStage<Boolean> deliver(String group, StoredMessage message,
                                                 java.util.function.Consumer<Backpressure> tell, String deliveryId) {
            if (group == null) {
                return broker.deliverForwarded(message, tell, deliveryId);
            }
            return CompletableFuture.completedFuture(broker.deliverToSharedGroup(message, group, tell));
        }

        @Override
        public void acks(TenantId t, String origin, long first, int length) {
            if (t.equals(tenant)) {
                ackWaiters.acked(first, length);
            }
        }

        @Override
        public void credit(TenantId t, String origin, long bytes) {
            if (t.equals(tenant)) {
                forwarder.credited(origin, bytes);
            }
        }

        @Override
        public void legacy(ClusterFrame frame) {
            if (frame instanceof ClusterFrame.Forward f) {
                // from a node of the previous version: acknowledged in its format
                if (!f.tenant().equals(tenant)) {
                    return;
                }
                deliver(f.group(), f.message(), f.seq() > 0 ? scratch::add : null, null);
                if (f.seq() > 0) {
                    List<Backpressure> lagging = new ArrayList<>(scratch);
                    scratch.clear();
                    whenUncongested(lagging, () -> bus.send(f.origin(),
                            ClusterFrame.encode(new ClusterFrame.Ack(tenant, new long[] {f.seq()}))));
                }
            } else if (frame instanceof ClusterFrame.Ack a) {
                if (a.tenant().equals(tenant)) {
                    for (long seq : a.seqs()) {
                        ackWaiters.acked(seq, 1);
                    }
                }
            } else if (frame instanceof ClusterFrame.Takeover t) {
                handover.onTakeover(t);
            } else if (frame instanceof ClusterFrame.Released r) {
                handover.onReleased(r);
            }
        }

        @Override
        public void end(TenantId t, String origin) {
            if (forwards > 0) {
                // the origin counted the whole batch: credited once its messages are delivered here
                whenUncongested(lagging == null ? List.of() : lagging, () -> forwarder.credit(origin, batchBytes));
            }
            if (writes == null) {
                sendAcks(origin);
                return;
            }
            // the Acks wait for what delivery wrote to Redis: once the origin acknowledges its publishers, the
            // messages are in Redis; if a write fails there is no Ack, and the origin refuses the publisher when it
            // times out
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).whenComplete((v, error) -> {
                if (error == null) {
                    sendAcks(origin);
                } else {
                    LOG.warnf("forwarded messages from %s not stored: %s", origin, error.getMessage());
                }
            });
        }

        private void sendAcks(String origin) {
            if (nAcks > 0) {
                forwarder.ack(origin, acks, nAcks);
            }
            if (nHeld > 0) {
                long[] seqs = held;
                int n = nHeld;
                whenUncongested(congested, () -> forwarder.ack(origin, seqs, n));
            }
        }
    }

    private void receive(byte[] batch) {
        FrameBatch.decode(batch, new Inbound(batch.length));
    }

    /**
     * Runs {@code ack} at once, or, when a receiving connection here cannot keep up, once they all have caught up
     * (at most {@link #MAX_ACK_HOLD_MILLIS} later, as a paused publisher would wait).
     */
    private void whenUncongested(List<Backpressure> congested, Runnable ack) {
        if (congested.isEmpty()) {
            ack.run();
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicInteger left = new AtomicInteger(congested.size());
        Runnable once = () -> {
            if (done.compareAndSet(false, true)) {
                ack.run();
            }
        };
        for (Backpressure sink : congested) {
            if (!sink.awaitUncongested(() -> {
                if (left.decrementAndGet() == 0) {
                    once.run();
                }
            }) && left.decrementAndGet() == 0) {
                once.run();
            }
        }
        vertx.setTimer(MAX_ACK_HOLD_MILLIS, id -> once.run());
    }

    /** The inbox was re-subscribed after a loss: the replica may have missed changes too. */
    private void resync() {
        RouteReplica r = replica;
        if (r != null) {
            r.resync();
        }
    }

    /** The other nodes this node would forward a message on {@code topic} to (for diagnostics and tests). */
    public Set<String> remoteNodesFor(String topic) {
        return Set.copyOf(routes.nodesFor(topic));
    }

    /** For each shared subscription matching {@code topic}: the other nodes with members (diagnostics, tests). */
    public Map<String, List<String>> remoteGroupsFor(String topic) {
        return Map.copyOf(routes.groupsFor(topic));
    }

    @Override
    public CompletionStage<Void> filterAdded(String filter) {
        return registrar.add(filter);
    }

    @Override
    public void filterRemoved(String filter) {
        registrar.remove(filter);
    }

    @Override
    public CompletionStage<Void> claimSession(SessionKey key) {
        return handover.claim(key);
    }

    @Override
    public void registerWill(SessionKey key, StoredMessage will, long delaySeconds, long expirySeconds) {
        wills.register(key, will, delaySeconds, expirySeconds);
    }

    @Override
    public void clearWill(SessionKey key) {
        wills.clear(key);
    }

    @Override
    public boolean isReady() {
        return bus.isSubscribed() && membership.isHealthy();
    }

    /**
     * For tests: this node's inbox stops listening (as when it is dying, or cut off from Redis pub/sub) while it
     * still heartbeats, so that its routes stay in the table; {@link #simulateCrash} ends it.
     */
    void simulateInboxLoss() {
        bus.close();
    }

    /** For tests: stops as a crashed node would, leaving its routes and registration behind for others to clean. */
    void simulateCrash() {
        membership.halt();
        deadSessions.close();
        redeliveries.close();
        ackWaiters.close();
        if (replica != null) {
            replica.close();
        }
        bus.close();
    }

    /** Leaves the cluster: routes out of the table, deregistered, inbox closed. */
    @Override
    public void close() {
        try {
            routeStore.removeNode(tenant, nodeId).toCompletableFuture().get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debugf("node %s: could not remove its routes on leaving: %s", nodeId, e.getMessage());
        }
        membership.close();
        deadSessions.close();
        redeliveries.close();
        ackWaiters.close();
        if (replica != null) {
            replica.close();
        }
        bus.close();
    }
}
