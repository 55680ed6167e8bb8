package dev.stratus.ingress.cluster;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.ClusterLink;
import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.broker.SharedGroup;
import dev.stratus.ingress.config.ClusterConfig;
import dev.stratus.ingress.session.SessionSink;
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
    /** Forwarded QoS 1/2 messages waiting for the receiving node's {@code Ack}, by sequence number. */
    private final Map<Long, CompletableFuture<Void>> awaitingAck = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong nextSeq = new java.util.concurrent.atomic.AtomicLong();
    private final Vertx vertx;
    /** How long a receiving node may hold back its Ack while its subscribers catch up (as a paused publisher). */
    static final long MAX_ACK_HOLD_MILLIS = 2_000;
    /** How long the origin waits for an Ack before it gives up (the publisher is then refused). */
    static final long ACK_TIMEOUT_MILLIS = 10_000;
    private RouteReplica replica;

    private final DeadNodeWills wills;
    private final DeadNodeSessions deadSessions;

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
        this.forwarder = new ClusterForwarder(bus);
        this.handover = new SessionHandover(broker, ownership, bus, nodeId, config.takeoverTimeout());
        this.wills = new DeadNodeWills(broker, nodeWills, ownership, vertx, nodeId);
        this.deadSessions = new DeadNodeSessions(broker, ownership, vertx, nodeId);
        // a dead node: its clients' wills first (they check who owns each session), then its sessions disconnected
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
    public CompletionStage<Boolean> forward(StoredMessage message, List<SharedGroup> localGroups) {
        String topic = message.topic();
        Set<String> nodes = routes.isEmpty() ? Set.of() : routes.nodesFor(topic);
        Map<String, List<String>> remoteGroups = routes.isEmpty() ? Map.of() : routes.groupsFor(topic);
        if (nodes.isEmpty() && remoteGroups.isEmpty() && localGroups.isEmpty()) {
            return NO_REMOTE_MATCH;
        }
        List<CompletableFuture<?>> sends = new ArrayList<>();
        if (message.qos() == 0 && forwarder.saturated()) {
            // Redis does not keep up (or is unreachable): QoS 0 is dropped and counted rather than queued
            broker.stats().dropped(DropReason.NODE_UNREACHABLE, nodes.size());
            nodes = Set.of();
        }
        if (!nodes.isEmpty()) {
            if (message.qos() == 0) {
                byte[] frame = ClusterFrame.encode(new ClusterFrame.Forward(tenant, null, message, nodeId, 0));
                for (String node : nodes) {
                    sends.add(send(node, frame));
                }
            } else {
                for (String node : nodes) {
                    sends.add(sendAwaitingAck(node, null, message));
                }
            }
        }
        boolean matched = !nodes.isEmpty();
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
            int i = Math.floorMod(sharedCursors.computeIfAbsent(group, g -> new AtomicInteger()).getAndIncrement(),
                    candidates.size());
            String chosen = candidates.get(i);
            matched = true;
            if (chosen.equals(nodeId)) {
                broker.deliverToSharedGroup(message, group);
            } else if (message.qos() == 0) {
                sends.add(send(chosen, ClusterFrame.encode(new ClusterFrame.Forward(tenant, group, message, nodeId, 0))));
            } else {
                sends.add(sendAwaitingAck(chosen, group, message));
            }
        }
        if (sends.isEmpty()) {
            return CompletableFuture.completedFuture(matched);
        }
        boolean result = matched;
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).thenApply(v -> result);
    }

    /**
     * Forwards a QoS 1/2 message and completes when the receiving node has taken it and its subscribers keep up:
     * so the publisher's acknowledgement waits for the other node, and its inflight window slows it down when a
     * subscriber there cannot keep up (back-pressure across nodes, as on one node).
     */
    private CompletableFuture<Void> sendAwaitingAck(String node, String group, StoredMessage message) {
        long seq = nextSeq.incrementAndGet();
        CompletableFuture<Void> acked = new CompletableFuture<>();
        awaitingAck.put(seq, acked);
        send(node, ClusterFrame.encode(new ClusterFrame.Forward(tenant, group, message, nodeId, seq)))
                .whenComplete((receivers, error) -> {
                    if (error != null) {
                        acked.completeExceptionally(error);
                    } else if (receivers == 0) {
                        // nobody listens there (it died, or lost Redis): the publisher is not acknowledged, so that
                        // it retries, by when the node's sessions are held by a survivor or back on another node
                        acked.completeExceptionally(new IllegalStateException("node " + node + " is not listening"));
                    }
                });
        return acked.orTimeout(ACK_TIMEOUT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> awaitingAck.remove(seq));
    }

    private CompletableFuture<Long> send(String node, byte[] frame) {
        return forwarder.send(node, frame).thenApply(receivers -> {
            if (receivers == 0) {
                // that node's inbox is not listening (it died, or lost Redis): what it would have delivered is lost
                broker.stats().dropped(DropReason.NODE_UNREACHABLE, 1);
                LOG.debugf("node %s is not listening; a forwarded message is lost for it", node);
            }
            return receivers;
        });
    }

    private void receive(byte[] batch) {
        for (ClusterFrame frame : ClusterFrame.decodeBatch(batch)) {
            receive(frame);
        }
    }

    private void receive(ClusterFrame frame) {
        if (frame instanceof ClusterFrame.Forward f) {
            if (!f.tenant().equals(tenant)) {
                return;
            }
            List<SessionSink> congested = f.seq() > 0 ? new ArrayList<>(1) : null;
            CompletionStage<Boolean> delivered;
            if (f.group() == null) {
                delivered = broker.deliverForwarded(f.message(), congested == null ? null : congested::add);
            } else {
                delivered = CompletableFuture.completedFuture(broker.deliverToSharedGroup(f.message(), f.group(),
                        congested == null ? null : congested::add));
            }
            if (f.seq() > 0) {
                // the Ack waits for what delivery wrote to Redis (the queues of offline persistent sessions): once the
                // origin acknowledges the publisher, the message is in Redis; if the write fails there is no Ack,
                // and the origin refuses the publisher when it times out
                delivered.whenComplete((matched, error) -> {
                    if (error == null) {
                        ackWhenUncongested(f.origin(), f.seq(), congested);
                    } else {
                        LOG.warnf("forwarded message for '%s' not stored: %s", f.message().topic(), error.getMessage());
                    }
                });
            }
        } else if (frame instanceof ClusterFrame.Ack a) {
            for (long seq : a.seqs()) {
                CompletableFuture<Void> acked = awaitingAck.remove(seq);
                if (acked != null) {
                    acked.complete(null);
                }
            }
        } else if (frame instanceof ClusterFrame.Takeover t) {
            handover.onTakeover(t);
        } else if (frame instanceof ClusterFrame.Released r) {
            handover.onReleased(r);
        }
    }

    /**
     * Acknowledges a forwarded message to its origin at once, or, when a receiving connection here cannot keep
     * up, once it has caught up (at most {@link #MAX_ACK_HOLD_MILLIS} later, as a paused publisher would wait).
     */
    private void ackWhenUncongested(String origin, long seq, List<SessionSink> congested) {
        Runnable ack = () -> send(origin, ClusterFrame.encode(new ClusterFrame.Ack(tenant, new long[] {seq})));
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
        for (SessionSink sink : congested) {
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

    /** For tests: stops as a crashed node would, leaving its routes and registration behind for others to clean. */
    void simulateCrash() {
        membership.halt();
        deadSessions.close();
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
        if (replica != null) {
            replica.close();
        }
        bus.close();
    }
}
