package dev.stratus.ingress.broker;

import dev.stratus.ingress.auth.Authenticator;
import dev.stratus.ingress.auth.Authorizer;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.session.Session;
import dev.stratus.ingress.session.SessionRegistry;
import dev.stratus.ingress.session.SessionSink;
import dev.stratus.router.topic.SharedSubscription;
import dev.stratus.router.trie.MatchConsumer;
import dev.stratus.router.trie.MaxQosCollector;
import dev.stratus.router.trie.SubscriptionTrie;
import io.netty.util.concurrent.FastThreadLocal;
import dev.stratus.state.StateStores;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.StoredSubscription;
import dev.stratus.state.model.TenantId;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The broker engine of one node: sessions, the subscription trie, and message routing. It knows nothing of
 * sockets; connections call it. Constructed with plain values so that tests can run several in one JVM.
 * <p>
 * Routing a message: store or clear it as retained, match the trie, keep one delivery per session at the
 * highest granted QoS [MQTT-3.3.5-1], downgrade to that QoS, clear RETAIN [MQTT-3.3.1-9], and hand it to the
 * session: to its connection when it has one, to the session's queue in the store when it is offline.
 */
public final class Broker {

    private static final Logger LOG = Logger.getLogger(Broker.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private static final CompletableFuture<Boolean> MATCHED = CompletableFuture.completedFuture(true);
    private static final CompletableFuture<Boolean> UNMATCHED = CompletableFuture.completedFuture(false);

    private final BrokerConfig config;
    private final StateStores stores;
    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final java.util.Map<String, dev.stratus.ingress.auth.EnhancedAuthenticator> enhancedAuth;
    private final LongSupplier clock;
    private final TenantId tenant = TenantId.DEFAULT;
    private final SessionRegistry sessions = new SessionRegistry();
    private final SubscriptionTrie<Session, StoredSubscription> subscriptions = new SubscriptionTrie<>();
    private final SharedGroups sharedGroups = new SharedGroups();
    /** Filters with subscribers on this node, for the routes this node registers in the cluster. */
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> localFilters =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile ClusterLink cluster = ClusterLink.NONE;
    /** Whether a connected persistent session's QoS 1/2 messages are written to its queue before they are offered. */
    private volatile boolean writeAhead;
    private final BrokerStats stats = new BrokerStats();
    private volatile boolean shuttingDown;

    public Broker(BrokerConfig config, StateStores stores, Authenticator authenticator, Authorizer authorizer,
                  LongSupplier clock) {
        this(config, stores, authenticator, authorizer, java.util.List.of(), clock);
    }

    /** @param enhancedAuth the MQTT 5 enhanced authentication methods offered (section 4.12) */
    public Broker(BrokerConfig config, StateStores stores, Authenticator authenticator, Authorizer authorizer,
                  java.util.List<dev.stratus.ingress.auth.EnhancedAuthenticator> enhancedAuth, LongSupplier clock) {
        this.config = config;
        this.stores = stores;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.enhancedAuth = new java.util.HashMap<>();
        enhancedAuth.forEach(a -> this.enhancedAuth.put(a.method(), a));
        this.clock = clock;
    }

    /** Joins a cluster: routes, forwarding and session claims go through {@code link} from now on. */
    public void joinCluster(ClusterLink link) {
        this.cluster = link;
    }

    public ClusterLink cluster() {
        return cluster;
    }

    /**
     * Cluster mode: a QoS 1/2 message for a connected persistent session is written to the session's queue in the
     * store before it is offered to the connection (and the publisher is acknowledged only then), and moved to the
     * inflight store when it is sent; so a node that dies loses nothing it acknowledged (docs/cluster-durability.md).
     */
    public void enableWriteAhead() {
        this.writeAhead = true;
    }

    public boolean writeAhead() {
        return writeAhead;
    }

    /** The filters that have subscribers on this node (shared ones as {@code $share/group/filter}). */
    public java.util.Set<String> localFilters() {
        return java.util.Set.copyOf(localFilters.keySet());
    }

    /** The enhanced authentication method of that name, or null when the broker does not offer it. */
    public dev.stratus.ingress.auth.EnhancedAuthenticator enhancedAuthenticator(String method) {
        return enhancedAuth.get(method);
    }

    public BrokerConfig config() {
        return config;
    }

    public StateStores stores() {
        return stores;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public Authorizer authorizer() {
        return authorizer;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public BrokerStats stats() {
        return stats;
    }

    public TenantId tenant() {
        return tenant;
    }

    /** The node is going down: connections close without publishing their wills (their sessions live on). */
    public void beginShutdown() {
        shuttingDown = true;
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    public long now() {
        return clock.getAsLong();
    }

    /** Number of (session, filter) subscriptions on this node, shared subscriptions included. */
    public int subscriptionCount() {
        return subscriptions.size() + sharedGroups.memberCount();
    }

    /**
     * Adds or replaces a subscription; a {@code $share/{group}/{filter}} one joins that group (section 4.8.2).
     *
     * @return completes when a cluster knows that this node has subscribers of the filter
     */
    public CompletionStage<Void> subscribe(Session session, StoredSubscription subscription) {
        String filter = subscription.filter();
        boolean added = session.putSubscription(subscription) == null;
        SharedSubscription shared = SharedSubscription.parse(filter);
        if (shared != null) {
            sharedGroups.subscribe(session, shared, subscription);
        } else {
            subscriptions.subscribe(filter, session, subscription);
        }
        if (added && localFilters.merge(filter, 1, Integer::sum) == 1) {
            return cluster.filterAdded(filter);
        }
        return ClusterLink.DONE;
    }

    /** @return true when the session had a subscription with that filter */
    public boolean unsubscribe(Session session, String filter) {
        boolean had = session.removeSubscription(filter) != null;
        boolean removed;
        if (SharedSubscription.isShared(filter)) {
            SharedSubscription shared = SharedSubscription.parse(filter);
            removed = shared != null && sharedGroups.unsubscribe(session, shared);
        } else {
            removed = subscriptions.unsubscribe(filter, session) != null;
        }
        if (had && localFilters.computeIfPresent(filter, (f, n) -> n == 1 ? null : n - 1) == null) {
            cluster.filterRemoved(filter);
        }
        return removed;
    }

    /**
     * Gives a message that a shared-subscription member did not get (it left first) to another member of the
     * group. Call without holding any session's monitor.
     *
     * @return false when the group has no other member to take it
     */
    public boolean redeliverShared(RoutedMessage message, Session leaving) {
        SharedGroup.Member member = message.group().choose(leaving);
        if (member == null) {
            return false;
        }
        int qos = Math.min(message.message().qos(), member.subscription().qos());
        deliver(member.session(), message.withQos(qos));
        return true;
    }

    /** Removes every subscription of the session from the trie (not from the store). */
    public void unsubscribeAll(Session session) {
        for (String filter : List.copyOf(session.subscriptions().keySet())) {
            unsubscribe(session, filter);
        }
    }

    /**
     * Routes an application message. The returned stage completes when every store write it caused (retained
     * message, queued messages of offline sessions) is done: the publisher is acknowledged only then. It tells
     * whether any subscription matched.
     */
    public CompletionStage<Boolean> publish(StoredMessage message) {
        return publish(message, null, null);
    }

    /**
     * Routes a message from a client. {@code publisher} is the publishing session (for No Local [MQTT5-3.8.3-3];
     * may be null). {@code congested} (may be null) is told about each receiving connection that cannot keep up,
     * so that the publisher's connection can stop reading for a while (back-pressure).
     *
     * @return completes when the store writes routing caused are done; true when a subscription matched
     */
    public CompletionStage<Boolean> publish(StoredMessage message, Session publisher, Consumer<Backpressure> congested) {
        return publish(message, publisher, congested, newDeliveryId(message));
    }

    /**
     * A cluster-wide id for a QoS 2 message about to be published here (cluster mode), else null: see
     * {@link ClusterLink#newDeliveryId()}.
     */
    public String newDeliveryId(StoredMessage message) {
        return message.qos() == 2 ? cluster.newDeliveryId() : null;
    }

    /** As {@link #publish(StoredMessage, Session, Consumer)}, with the id {@link #newDeliveryId} gave. */
    public CompletionStage<Boolean> publish(StoredMessage message, Session publisher, Consumer<Backpressure> congested,
                                            String deliveryId) {
        stats.messageIn();
        ClusterLink link = cluster;
        if (link == ClusterLink.NONE) {
            return route(message, true, true, true, publisher, congested, null, false);
        }
        // in a cluster, the member of a shared group may be on any node: the cluster chooses (see ClusterLink)
        List<SharedGroup> groups = sharedGroups.matching(message.topic());
        CompletionStage<Boolean> local = route(message, false, true, false, publisher, congested, deliveryId, false);
        // the other nodes with matching routes get it too: the publisher is acknowledged once they have it
        CompletionStage<Boolean> remote = link.forward(message, groups, deliveryId, congested);
        return local.thenCombine(remote, countUnmatched);
    }

    /** Whether a message matched here or on another node; counted as dropped only when neither. */
    private final java.util.function.BiFunction<Boolean, Boolean, Boolean> countUnmatched = (local, remote) -> {
        if (!local && !remote) {
            stats.dropped(DropReason.NO_SUBSCRIBERS, 1);
        }
        return local || remote;
    };

    /**
     * Delivers a message to one member of a shared group on this node: the cluster chose this node for it.
     *
     * @return false when the group has no member here any more
     */
    public boolean deliverToSharedGroup(StoredMessage message, String subscriptionFilter) {
        return deliverToSharedGroup(message, subscriptionFilter, null);
    }

    /** As {@link #deliverToSharedGroup(StoredMessage, String)}, telling {@code congested} of a member that lags. */
    public boolean deliverToSharedGroup(StoredMessage message, String subscriptionFilter,
                                        Consumer<Backpressure> congested) {
        SharedSubscription shared = SharedSubscription.parse(subscriptionFilter);
        return deliverToSharedGroup(message, shared == null ? null : sharedGroups.find(shared), congested);
    }

    /** As {@link #deliverToSharedGroup(StoredMessage, String)}, for a group already in hand. */
    public boolean deliverToSharedGroup(StoredMessage message, SharedGroup group, Consumer<Backpressure> congested) {
        if (group == null || group.isEmpty()) {
            stats.dropped(DropReason.NO_SUBSCRIBERS, 1);
            return false;
        }
        // chooses the member once (and counts the message as dropped when none can take it)
        deliverShared(message, List.of(group), congested, null);
        return true;
    }

    /**
     * Delivers a message another node forwarded to this one: to this node's matching subscribers only (the origin
     * node stored it as retained and forwarded it to every node itself).
     */
    public CompletionStage<Boolean> deliverForwarded(StoredMessage message) {
        return route(message, false, false, false, null, null, null, false);
    }

    /**
     * As {@link #deliverForwarded(StoredMessage)}, telling {@code congested} of each receiving connection that
     * cannot keep up: the cluster then holds the origin's acknowledgement back (back-pressure across nodes).
     */
    public CompletionStage<Boolean> deliverForwarded(StoredMessage message, Consumer<Backpressure> congested) {
        return route(message, false, false, false, null, congested, null, false);
    }

    /** As {@link #deliverForwarded(StoredMessage, Consumer)}, for a QoS 2 message with its cluster-wide id. */
    public CompletionStage<Boolean> deliverForwarded(StoredMessage message, Consumer<Backpressure> congested,
                                                     String deliveryId) {
        return route(message, false, false, false, null, congested, deliveryId, false);
    }

    /**
     * Delivers a message again, to this node's persistent sessions only: a message whose delivery to a node that
     * died was not confirmed. Its live subscribers on the other nodes had it; the dead node's clean sessions are
     * gone; its persistent sessions are now in the custody of a survivor or back on some node, and get it here if
     * their subscriptions match. A QoS 2 message is appended with its delivery id, so a session that had it
     * already does not get it twice [MQTT-4.3.3-2]; a QoS 1 message may come twice [MQTT-4.3.2-1 allows].
     *
     * @return completes when the appends are done
     */
    public CompletionStage<Boolean> redeliver(StoredMessage message, String deliveryId) {
        return route(message, false, false, false, null, null, deliveryId, true);
    }

    /**
     * Publishes again a QoS 2 message that a publisher sent again after its session moved here from a node that
     * may have died before it delivered the message everywhere: delivered again, under its first id, to the
     * persistent sessions of this node and of every node whose routes match (see {@link #redeliver}); stored again
     * as retained if it is one.
     */
    public CompletionStage<Boolean> republish(StoredMessage message, String deliveryId) {
        stats.messageIn();
        CompletionStage<Boolean> local = route(message, false, true, false, null, null, deliveryId, true);
        return local.thenCombine(cluster.redeliver(message, deliveryId), (l, r) -> l || r);
    }

    /**
     * Routes a message the broker itself publishes ({@code $SYS} statistics): as {@link #publish}, but not counted
     * as received, nor as dropped when no one subscribes, so that it does not inflate the statistics it reports.
     */
    public CompletionStage<Boolean> publishInternal(StoredMessage message) {
        return route(message, false, true, true, null, null, null, false);
    }

    /**
     * @param origin  whether the message was published on this node (then it is stored as retained here)
     * @param shared  whether this node's shared groups get it here (else the cluster decides)
     * @param deliveryId the message's cluster-wide id (QoS 2 in a cluster), or null
     * @param redelivery whether this is a delivery again after a node died: to persistent sessions only, and
     *                   each takes a QoS 2 message once (see {@link #redeliver})
     */
    private CompletionStage<Boolean> route(StoredMessage message, boolean counted, boolean origin, boolean shared,
                                           Session publisher, Consumer<Backpressure> congested, String deliveryId,
                                           boolean redelivery) {
        List<CompletionStage<?>> writes = null;
        if (origin && message.retain()) {
            // [MQTT-3.3.1-5] store, [MQTT-3.3.1-10] an empty payload removes; the stored copy keeps RETAIN=1
            writes = new ArrayList<>(2);
            writes.add(stores.retained().put(tenant, message));
        }
        boolean matched;
        RouteScratch scratch = RouteScratch.acquire(publisher);
        try {
            MaxQosCollector<Session> targets = scratch.targets;
            subscriptions.match(message.topic(), scratch.collect);
            if (shared && !redelivery) {
                sharedGroups.match(message.topic(), scratch.collectGroup);
            }
            int n = targets.size();
            matched = n > 0 || scratch.groups != null;
            if (scratch.groups != null) {
                writes = deliverShared(message, scratch.groups, congested, writes);
            }
            if (!matched) {
                if (counted) {
                    stats.dropped(DropReason.NO_SUBSCRIBERS, 1);
                }
            } else if (n > 0) {
                // [MQTT-3.3.1-9] forwarded to existing subscriptions with RETAIN=0
                RoutedMessage forwarded = RoutedMessage.of(message.withRetain(false), config.limits().copyThreshold());
                if (deliveryId != null) {
                    forwarded = forwarded.withDeliveryId(deliveryId);
                }
                RoutedMessage qos0 = null;
                RoutedMessage qos1 = null;
                for (int i = 0; i < n; i++) {
                    Session session = targets.keyAt(i);
                    // [MQTT-3.8.4-6] delivered at the lower of the published and the granted QoS; one copy per QoS
                    int qos = Math.min(message.qos(), targets.qosAt(i));
                    RoutedMessage copy;
                    if (qos == forwarded.message().qos()) {
                        copy = forwarded;
                    } else if (qos == 0) {
                        copy = qos0 != null ? qos0 : (qos0 = forwarded.withQos(0));
                    } else {
                        copy = qos1 != null ? qos1 : (qos1 = forwarded.withQos(1));
                    }
                    if (scratch.options != null) {
                        copy = scratch.options.apply(session, copy, message.retain());
                    }
                    CompletionStage<?> w = redelivery ? redeliver(session, copy) : deliver(session, copy);
                    if (congested != null) {
                        SessionSink sink = session.connection();
                        if (sink != null && sink.isCongested()) {
                            congested.accept(sink);
                        }
                    }
                    if (w != DONE) {
                        if (writes == null) {
                            writes = new ArrayList<>();
                        }
                        writes.add(w);
                    }
                }
            }
        } finally {
            scratch.release();
        }
        if (writes == null) {
            return matched ? MATCHED : UNMATCHED;
        }
        return CompletableFuture.allOf(writes.stream().map(CompletionStage::toCompletableFuture)
                .toArray(CompletableFuture[]::new)).thenApply(v -> matched);
    }

    /** One member of each matching shared group gets the message, at the QoS it was granted [MQTT5-4.8.2-3]. */
    private List<CompletionStage<?>> deliverShared(StoredMessage message, List<SharedGroup> groups,
                                                   Consumer<Backpressure> congested, List<CompletionStage<?>> writes) {
        RoutedMessage forwarded = RoutedMessage.of(message.withRetain(false), config.limits().copyThreshold());
        for (SharedGroup group : groups) {
            SharedGroup.Member member = group.choose(null);
            if (member == null) {
                stats.dropped(DropReason.NO_SUBSCRIBERS, 1);
                continue;
            }
            StoredSubscription sub = member.subscription();
            RoutedMessage copy = forwarded.withQos(Math.min(message.qos(), sub.qos())).withGroup(group);
            if (sub.retainAsPublished()) {
                copy = copy.withRetain(message.retain());
            }
            if (sub.subscriptionId() != 0) {
                copy = copy.withSubscriptionIds(new int[] {sub.subscriptionId()});
            }
            CompletionStage<?> w = deliver(member.session(), copy);
            if (congested != null) {
                SessionSink sink = member.session().connection();
                if (sink != null && sink.isCongested()) {
                    congested.accept(sink);
                }
            }
            if (w != DONE) {
                if (writes == null) {
                    writes = new ArrayList<>();
                }
                writes.add(w);
            }
        }
        return writes;
    }

    /**
     * Hands a message to a session: to its connection, or to its queue in the store while it is offline.
     * The session monitor makes the choice atomic against attach and detach (see {@link Session}).
     */
    public CompletionStage<?> deliver(Session session, RoutedMessage message) {
        synchronized (session) {
            SessionSink sink = session.connection();
            if (sink != null) {
                if (writeAhead && session.isPersistent() && message.message().qos() > 0 && message.group() == null) {
                    // written to the session's queue first, offered at once; the publisher waits for the write
                    CompletableFuture<Long> ticket = append(session, message).thenApply(a -> {
                                if (a.dropped() > 0) {
                                    stats.dropped(DropReason.QUEUE_FULL, a.dropped());
                                }
                                return a.sequence();
                            }).toCompletableFuture();
                    sink.offer(message.withTicket(ticket));
                    return ticket;
                }
                sink.offer(message);
                return DONE;
            }
            if (!session.isPersistent() || message.message().qos() == 0) {
                stats.dropped(DropReason.OFFLINE_QOS0, 1);
                return DONE;
            }
            if (message.deliveryId() != null && message.message().qos() == 2) {
                return append(session, message).thenAccept(a -> countQueued(session, a.duplicate() ? 0 : 1,
                        a.dropped()));
            }
            return enqueueOffline(session, message.message());
        }
    }

    /** Appends to the session's queue; a QoS 2 message with a delivery id only if the session never had it. */
    private CompletionStage<dev.stratus.state.model.Appended> append(Session session, RoutedMessage message) {
        if (message.deliveryId() != null && message.message().qos() == 2) {
            return stores.queues().appendOnce(session.key(), message.message(), config.limits().maxQueued(),
                    message.deliveryId(), System.currentTimeMillis());
        }
        return stores.queues().append(session.key(), message.message(), config.limits().maxQueued());
    }

    /**
     * A message delivered again after a node died (see {@link #redeliver}): appended to a persistent session's
     * queue (once, for QoS 2), then offered to its connection if it has one here; if not, the queue is where its
     * next connection reads it. A connection that read the queue after the append skips the offer (it sent the
     * message from the queue already).
     */
    private CompletionStage<?> redeliver(Session session, RoutedMessage message) {
        if (!session.isPersistent() || message.message().qos() == 0) {
            return DONE; // a clean session here had it the first time, or did not exist then
        }
        return append(session, message).thenAccept(a -> {
            if (a.duplicate()) {
                LOG.debugf("%s had message %s already; not delivered again", session.key(), message.deliveryId());
                return;
            }
            synchronized (session) {
                SessionSink sink = session.connection();
                if (sink != null) {
                    if (a.dropped() > 0) {
                        stats.dropped(DropReason.QUEUE_FULL, a.dropped());
                    }
                    sink.offer(message.withTicket(CompletableFuture.completedFuture(a.sequence())));
                } else {
                    countQueued(session, 1, a.dropped());
                }
            }
        });
    }

    private void countQueued(Session session, int added, int dropped) {
        stats.queued(added - dropped);
        if (dropped > 0) {
            stats.dropped(DropReason.QUEUE_FULL, dropped);
            LOG.debugf("queue of %s full: dropped %d oldest", session.key(), dropped);
        }
    }

    /**
     * Takes custody of an offline persistent session whose node died: this node holds its subscriptions (so that
     * the cluster routes its messages here, into its queue) until its client comes back on some node (which then
     * takes it over from this one) or it expires.
     *
     * @param custodian the owner object for the registry (no connection)
     * @return completes when the session's routes are registered
     */
    public CompletionStage<Void> adoptSession(dev.stratus.state.model.StoredSession stored, Object custodian) {
        SessionRegistry.Claim claim = sessions.claim(stored.key(), custodian);
        Session session = claim.session();
        session.setExpiryIntervalSeconds(stored.expiryIntervalSeconds());
        List<CompletableFuture<Void>> routed = new ArrayList<>();
        for (StoredSubscription sub : stored.subscriptions().values()) {
            routed.add(subscribe(session, sub).toCompletableFuture());
        }
        return CompletableFuture.allOf(routed.toArray(CompletableFuture[]::new));
    }

    /**
     * Forgets a session on this node, without touching the store: another node took it over. Its connection, if
     * any, has closed and handed its state over already.
     */
    public void forgetSession(Session session, Object owner) {
        if (sessions.removeIfOwnedBy(session, owner)) {
            unsubscribeAll(session);
        }
    }

    /**
     * Removes everything the store holds for a session: its record and subscriptions, its queue (the count of
     * queued messages learns how many were discarded) and its inflight messages.
     */
    public CompletionStage<Void> discardStoredSession(dev.stratus.state.model.SessionKey key) {
        return CompletableFuture.allOf(
                stores.sessions().delete(key).toCompletableFuture(),
                stores.queues().poll(key, Integer.MAX_VALUE)
                        .thenAccept(discarded -> stats.queued(-discarded.size())).toCompletableFuture(),
                stores.inflight().clear(key).toCompletableFuture());
    }

    /** Appends to the session's bounded queue in the store; the oldest message is dropped and counted. */
    public CompletionStage<?> enqueueOffline(Session session, StoredMessage message) {
        return stores.queues().enqueue(session.key(), message, config.limits().maxQueued())
                .thenAccept(r -> {
                    stats.queued(1 - r.dropped());
                    if (r.dropped() > 0) {
                        stats.dropped(DropReason.QUEUE_FULL, r.dropped());
                        LOG.debugf("queue of %s full: dropped %d oldest", session.key(), r.dropped());
                    }
                });
    }

    /**
     * Per-thread scratch space for {@link #route}: the matches of one message collapsed to one entry per session
     * at the highest granted QoS [MQTT-3.3.5-1], without a map per message. Subscriptions with MQTT 5 options that
     * change the delivery (Retain As Published, a Subscription Identifier) are noted in {@link #options}, which
     * exists only for messages that match such a subscription. A re-entrant route on the same thread (a consumer
     * that publishes) gets a fresh one.
     */
    private static final class RouteScratch {
        private static final FastThreadLocal<RouteScratch> CURRENT = new FastThreadLocal<>() {
            @Override
            protected RouteScratch initialValue() {
                return new RouteScratch();
            }
        };
        /** Past this many sessions the arrays are not kept for the next message. */
        private static final int KEEP_LIMIT = 4096;

        final MaxQosCollector<Session> targets = new MaxQosCollector<>();
        final MatchConsumer<Session, StoredSubscription> collect = this::collect;
        final MatchConsumer<String, SharedGroup> collectGroup = this::collectGroup;
        /** The shared groups the message matches; null for most messages, which match none. */
        List<SharedGroup> groups;
        /** The publishing session, for No Local; null for the broker's own messages. */
        private Session publisher;
        DeliveryOptions options;
        private boolean inUse;

        private void collect(Session session, StoredSubscription sub) {
            if (sub.noLocal() && session == publisher) {
                return; // [MQTT5-3.8.3-3] not sent back to the connection that published it
            }
            targets.add(session, sub.qos());
            if (sub.retainAsPublished() || sub.subscriptionId() != 0) {
                if (options == null) {
                    options = new DeliveryOptions();
                }
                options.add(session, sub);
            }
        }

        private void collectGroup(String shareName, SharedGroup group) {
            if (groups == null) {
                groups = new ArrayList<>(2);
            }
            groups.add(group);
        }

        static RouteScratch acquire(Session publisher) {
            RouteScratch s = CURRENT.get();
            if (s.inUse) {
                s = new RouteScratch();
            }
            s.inUse = true;
            s.publisher = publisher;
            return s;
        }

        void release() {
            boolean big = targets.size() > KEEP_LIMIT;
            targets.clear(); // drops the session references
            publisher = null;
            options = null;
            groups = null;
            inUse = false;
            if (big && CURRENT.get() == this) {
                CURRENT.remove();
            }
        }
    }
}
