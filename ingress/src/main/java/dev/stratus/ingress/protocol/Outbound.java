package dev.stratus.ingress.protocol;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.Congestion;
import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.broker.RoutedMessage;
import dev.stratus.ingress.broker.SharedGroup;
import dev.stratus.ingress.codec.OutgoingPublish;
import dev.stratus.ingress.codec.PublishEncoder;
import dev.stratus.ingress.session.Session;
import dev.stratus.ingress.session.SessionSink;
import dev.stratus.router.topic.TopicFilter;
import dev.stratus.state.model.InflightMessage;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.StoredSubscription;
import io.netty.channel.Channel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The outbound half of a connection: messages for its session, the inflight window and the overflow queue.
 * <p>
 * Threading: {@link #offer} is called from any event loop. Offered messages go to a lock-free queue and one
 * drain task per batch runs on the connection's own event loop; it writes every waiting message and flushes
 * once, so a burst costs one flush per connection per event-loop pass, not one per message. Everything else
 * here runs on the connection's event loop only.
 * <p>
 * QoS 1/2: at most {@code maxInflight} messages are unacknowledged; the rest wait in a bounded queue. When it is
 * full, offered messages stay offered (at most another {@code maxQueued}) while the publishers are paused; only
 * past that, or once the subscriber counts as stuck, the oldest is dropped and counted. For a persistent session
 * each inflight message is written to the inflight store before it is sent, so that it is re-sent with DUP on
 * resume [MQTT-4.4.0-1].
 * <p>
 * Memory: most connections are idle, so everything a connection needs only once messages flow (the offer queue,
 * the inflight window, the overflow queue, the drain task, the congestion state) is allocated on first use, and
 * the offer counters are plain fields updated through field updaters instead of atomic objects.
 */
final class Outbound implements SessionSink {

    private static final VarHandle INCOMING;
    private static final VarHandle CONGESTION;
    private static final AtomicIntegerFieldUpdater<Outbound> DRAIN_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(Outbound.class, "drainScheduled");
    private static final AtomicIntegerFieldUpdater<Outbound> PENDING_OFFERS =
            AtomicIntegerFieldUpdater.newUpdater(Outbound.class, "pendingOffers");

    static {
        try {
            INCOMING = MethodHandles.lookup().findVarHandle(Outbound.class, "incoming", Queue.class);
            CONGESTION = MethodHandles.lookup().findVarHandle(Outbound.class, "congestion", Congestion.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Messages a drain writes between flushes. A burst of thousands at once (a batch forwarded by another node)
     * would otherwise sit in the outbound buffer whole before the first byte goes out: more memory, buffers and
     * write entries alive at once (Netty recycles them only once written), and QoS 0 dropped sooner.
     */
    static final int FLUSH_EVERY = 512;

    private final Channel channel;
    private final Broker broker;
    private final Session session;
    private final int maxInflight;
    private final int maxQueued;
    /** Offered messages, from any thread; created by the first offer (see {@link #incoming()}). */
    private volatile Queue<RoutedMessage> incoming;
    /** 1 while a drain task is scheduled. */
    private volatile int drainScheduled;
    /** Created by the first offer; any offering thread may create it, they are all equivalent. */
    private Runnable drainTask;
    /** Created when this subscriber first congests (any thread; see {@link #congestion()}); null until then. */
    private volatile Congestion congestion;
    /** Offered and not yet drained; past {@link #maxPendingOffers} the publishers are paused. */
    private volatile int pendingOffers;
    private final int maxPendingOffers;
    /** QoS 0 is dropped only past this many pending bytes: well above the high-water mark that pauses publishers. */
    private final long maxPendingBytes;
    /** Waiting messages from which publishers are paused: half the queue. */
    private final int congestedAt;

    // event-loop confined
    /** QoS 1/2 messages sent and not yet acknowledged, by packet id; allocated on first use. */
    private LinkedHashMap<Integer, InflightMessage> inflight;
    /** QoS 1/2 messages waiting for room in the inflight window; allocated on first use. */
    private ArrayDeque<RoutedMessage> waiting;
    /** The shared group of each inflight message sent on a shared subscription; allocated on first use. */
    private HashMap<Integer, SharedGroup> sharedInflight;
    private int nextPacketId = 1;
    private boolean ready;
    private boolean closed;

    /** What the client accepts: Receive Maximum, Maximum Packet Size, Topic Alias Maximum. */
    private final ClientOptions client;
    /** Topic aliases towards an MQTT 5 client that allows them, else null. */
    private final OutboundAliases aliases;

    Outbound(Channel channel, Broker broker, Session session) {
        this(channel, broker, session, ClientOptions.MQTT_3);
    }

    Outbound(Channel channel, Broker broker, Session session, ClientOptions client) {
        this.channel = channel;
        this.broker = broker;
        this.session = session;
        this.client = client;
        int aliasMaximum = Math.min(client.topicAliasMaximum(), broker.config().features().topicAliasMaximum());
        this.aliases = client.mqtt5() && aliasMaximum > 0 ? new OutboundAliases(aliasMaximum) : null;
        // [MQTT5-3.3.4-9] never more unacknowledged QoS 1/2 messages than the client's Receive Maximum
        this.maxInflight = Math.min(broker.config().limits().maxInflight(), client.receiveMaximum());
        this.maxQueued = Math.max(1, broker.config().limits().maxQueued());
        this.congestedAt = maxQueued / 2 + 1;
        this.maxPendingBytes = 4L * channel.config().getWriteBufferHighWaterMark();
        // messages a burst may add before publishers pause: a quarter of the queue, so that QoS 1/2 do not overflow
        this.maxPendingOffers = Math.max(1, Math.min(4096, maxQueued / 4));
    }

    @Override
    public boolean isCongested() {
        Congestion c = congestion;
        return c != null && c.isCongested();
    }

    @Override
    public boolean awaitUncongested(Runnable wake) {
        return congestion().awaitUncongested(wake);
    }

    /**
     * Congested while the socket buffer is past its high-water mark or the QoS 1/2 overflow queue is half full;
     * clear again once the socket is writable and the queue is at most a quarter full (hysteresis, so that
     * publishers are not woken for every message).
     */
    void updateCongestion() {
        if (closed) {
            return;
        }
        int waitingSize = waitingSize();
        if (!channel.isWritable() || waitingSize >= congestedAt || pendingOffers >= maxPendingOffers) {
            congestion().set(true);
        } else if (waitingSize <= maxQueued / 4) {
            Congestion c = congestion;
            if (c != null) {
                c.set(false);
            }
        }
    }

    @Override
    public void offer(RoutedMessage message) {
        incoming().add(message);
        if (PENDING_OFFERS.incrementAndGet(this) >= maxPendingOffers) {
            congestion().set(true); // cleared by the drain that follows
        }
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
            Runnable task = drainTask;
            if (task == null) {
                task = this::drain;
                drainTask = task;
            }
            channel.eventLoop().execute(task);
        }
    }

    private boolean isStuck() {
        Congestion c = congestion;
        return c != null && c.isStuck();
    }

    private Congestion congestion() {
        Congestion c = congestion;
        if (c == null) {
            c = new Congestion(MqttConnection.MAX_READ_PAUSE_MILLIS);
            if (!CONGESTION.compareAndSet(this, null, c)) {
                c = congestion;
            }
        }
        return c;
    }

    /** The offer queue, created by the first offer (any thread; the first to set it wins). */
    @SuppressWarnings("unchecked")
    private Queue<RoutedMessage> incoming() {
        Queue<RoutedMessage> q = incoming;
        if (q == null) {
            q = new ConcurrentLinkedQueue<>();
            if (!INCOMING.compareAndSet(this, null, q)) {
                q = incoming;
            }
        }
        return q;
    }

    private LinkedHashMap<Integer, InflightMessage> inflight() {
        if (inflight == null) {
            inflight = new LinkedHashMap<>();
        }
        return inflight;
    }

    private InflightMessage inflightMessage(int packetId) {
        return inflight == null ? null : inflight.get(packetId);
    }

    private int inflightSize() {
        return inflight == null ? 0 : inflight.size();
    }

    private ArrayDeque<RoutedMessage> waiting() {
        if (waiting == null) {
            waiting = new ArrayDeque<>();
        }
        return waiting;
    }

    private int waitingSize() {
        return waiting == null ? 0 : waiting.size();
    }

    /**
     * Starts sending: first the inflight messages of a resumed session, again and in order, PUBLISH with DUP or
     * PUBREL for those already received [MQTT-4.4.0-1]; then its queued messages; then live ones.
     */
    void start(List<InflightMessage> resumedInflight, List<StoredMessage> queued) {
        start(resumedInflight, queued, null);
    }

    /**
     * The highest queue sequence read when this session resumed (write-ahead): a message offered later whose
     * append had a sequence up to this one was sent from the queue already.
     */
    private long resumedUpTo = Long.MIN_VALUE;

    /**
     * As {@link #start(List, List)}; with {@code sequences} (write-ahead: the queue was read, not emptied) each
     * queued message keeps its place in the queue until it is sent (moved to inflight) or dropped.
     */
    void start(List<InflightMessage> resumedInflight, List<StoredMessage> queued, List<Long> sequences) {
        if (closed) {
            // the connection went away while its queue was being read: put the messages back (a write-ahead queue
            // still has them)
            if (sequences == null) {
                queued.forEach(m -> broker.enqueueOffline(session, m));
            }
            return;
        }
        for (InflightMessage m : resumedInflight) {
            inflight().put(m.packetId(), m);
            nextPacketId = m.packetId() == 65535 ? 1 : m.packetId() + 1;
            if (m.released()) {
                channel.write(Packets.pubrel(m.packetId(), 0));
            } else {
                channel.write(new OutgoingPublish(m.message(), m.packetId(), true, null, null,
                        client.mqtt5() ? mqtt5Part(m.message(), storedSubscriptionIds(m.message()), false) : null));
                broker.stats().messageSent(m.message().qos(), m.message().payload().length);
            }
        }
        broker.stats().inflight(resumedInflight.size());
        boolean wrote = !resumedInflight.isEmpty();
        // write-ahead: a message offered to this connection is in the queue too; it is sent from the queue, once,
        // and the offer is skipped in send() (its append was answered before the queue was read, on the same
        // connection, so its ticket is done and its sequence is at most the last one read)
        for (int i = 0; i < queued.size(); i++) {
            StoredMessage m = queued.get(i);
            RoutedMessage r = new RoutedMessage(m, null, null, storedSubscriptionIds(m));
            if (sequences != null) {
                r = r.withTicket(java.util.concurrent.CompletableFuture.completedFuture(sequences.get(i)));
            }
            wrote |= send(r);
        }
        if (sequences != null && !sequences.isEmpty()) {
            resumedUpTo = sequences.get(sequences.size() - 1);
        }
        ready = true;
        if (wrote) {
            // what a resumed session brings back must not wait for the next read to be flushed [MQTT-4.4.0-1]
            channel.flush();
        }
        drain();
    }

    private void drain() {
        drainScheduled = 0;
        if (!ready || closed) {
            return;
        }
        if (takeIncoming()) {
            channel.flush();
        }
        updateCongestion();
    }

    /**
     * Moves offered messages to the socket, the inflight window or the waiting queue, in order. A QoS 1/2 message
     * for which there is no room stays offered while the publishers are held back for this subscriber: its
     * publisher has probably been acknowledged already, so it must not be dropped because the queue is full for
     * the moment. Publishers stop reading when they see the congestion (set here at the latest), each after at
     * most one message more, so little stays offered; and never more than {@code maxQueued}, whatever the
     * publishers do (a client subscribed to its own topic is not paused for itself): past that, and once this
     * subscriber counts as stuck (congested for longer than the give-up time, when the publishers no longer wait
     * for it), the oldest waiting message is dropped and counted instead, as for a full queue before.
     *
     * @return true when something was written
     */
    private boolean takeIncoming() {
        Queue<RoutedMessage> offers = incoming;
        if (offers == null) {
            return false;
        }
        boolean wrote = false;
        RoutedMessage m;
        int taken = 0;
        while ((m = offers.peek()) != null) {
            if (m.message().qos() > 0 && inflightSize() >= maxInflight && waitingSize() >= maxQueued
                    && pendingOffers - taken <= maxQueued && !isStuck()) {
                break; // refill() takes it on once there is room
            }
            offers.poll(); // the same message: this is the only consumer
            taken++;
            wrote |= send(m);
            if (taken % FLUSH_EVERY == 0 && wrote) {
                channel.flush(); // a long burst goes out as it is written, not all at the end
            }
            if (waitingSize() >= congestedAt) {
                congestion().set(true); // now, not after the loop: publishers still reading pause sooner
            }
        }
        if (taken > 0) {
            PENDING_OFFERS.addAndGet(this, -taken);
        }
        return wrote;
    }

    /** @return true when something was written */
    private boolean send(RoutedMessage routed) {
        StoredMessage m = routed.message();
        if (routed.ticket() != null && routed.ticket().isDone() && !routed.ticket().isCompletedExceptionally()
                && routed.ticket().join() <= resumedUpTo) {
            // offered after its append, and the queue this session resumed from had it already (and sent it)
            return false;
        }
        if (m.isExpired(broker.now())) {
            broker.stats().dropped(DropReason.EXPIRED, 1);
            forgetQueued(routed);
            return false;
        }
        if (client.mqtt5() && tooLarge(routed)) {
            // [MQTT5-3.1.2-25] discarded without sending, as if it had been delivered
            broker.stats().dropped(DropReason.TOO_LARGE, 1);
            forgetQueued(routed);
            return false;
        }
        if (m.qos() == 0) {
            if (pendingBytes() > maxPendingBytes && !flushedBelowLimit()) {
                // a subscriber that does not read must not make the broker buffer without bound; publishers were
                // paused at the high-water mark already, so this is a subscriber that stopped reading
                broker.stats().dropped(DropReason.SLOW_SUBSCRIBER, 1);
                return false;
            }
            // the void promise: no promise object per message; a failed write closes the connection
            boolean written = writePublish(new OutgoingPublish(m, 0, false, routed.sharedPayload(),
                    routed.topicUtf8(), client.mqtt5() ? mqtt5Part(m, routed.subscriptionIds(), true) : null), null);
            broker.stats().messageSent(0, m.payload().length);
            return written;
        }
        if (inflightSize() >= maxInflight) {
            ArrayDeque<RoutedMessage> queue = waiting();
            if (queue.size() >= maxQueued) {
                forgetQueued(queue.poll());
                broker.stats().dropped(DropReason.QUEUE_FULL, 1);
            } else {
                broker.stats().queued(1);
            }
            queue.add(routed);
            return false;
        }
        int id = allocatePacketId();
        InflightMessage im = new InflightMessage(id, m, false);
        inflight().put(id, im);
        if (routed.group() != null) {
            if (sharedInflight == null) {
                sharedInflight = new HashMap<>();
            }
            sharedInflight.put(id, routed.group());
        }
        broker.stats().inflight(1);
        java.util.concurrent.CompletableFuture<Void> stored = null;
        if (session.isPersistent()) {
            if (routed.ticket() != null) {
                // write-ahead: from the session's queue to its inflight store in one step; later changes of this
                // packet id in the store wait for the move
                SessionKey key = session.key();
                java.util.concurrent.CompletableFuture<Void> move = routed.ticket()
                        .thenCompose(seq -> broker.stores().moveToInflight(key, im, seq)).toCompletableFuture();
                moves().put(id, move);
                if (m.qos() == 2) {
                    // QoS 2 goes to the socket only once it is in the inflight store under this packet id: if this
                    // node dies after writing it, the session resumes it with DUP and the same id, which the client
                    // recognises [MQTT-4.3.3-2]; sent from the queue again it would get a new id and arrive twice
                    stored = move;
                }
            } else {
                broker.stores().inflight().put(session.key(), im);
            }
        }
        boolean written = writePublish(new OutgoingPublish(m, id, false, routed.sharedPayload(), routed.topicUtf8(),
                client.mqtt5() ? mqtt5Part(m, routed.subscriptionIds(), true) : null), stored);
        broker.stats().messageSent(m.qos(), m.payload().length);
        return written;
    }

    /** Writes waiting for a store write before them (event loop only); later writes queue behind them, in order. */
    private java.util.concurrent.CompletableFuture<Void> writeChain;
    private int chainedWrites;

    /**
     * Writes a PUBLISH now, or, when {@code after} (may be null) is not done yet or writes are waiting already,
     * once it and every earlier waiting write are done, keeping the order of the messages [MQTT-4.6.0-2].
     *
     * @return true when it was written now (the caller flushes)
     */
    private boolean writePublish(OutgoingPublish publish, java.util.concurrent.CompletableFuture<?> after) {
        if (chainedWrites == 0 && (after == null || after.isDone())) {
            channel.write(publish, channel.voidPromise());
            return true;
        }
        chainedWrites++;
        java.util.concurrent.CompletableFuture<?> previous = writeChain == null
                ? java.util.concurrent.CompletableFuture.completedFuture(null) : writeChain;
        java.util.concurrent.CompletableFuture<?> gate = after == null ? previous
                : java.util.concurrent.CompletableFuture.allOf(previous, after.handle((v, e) -> null));
        writeChain = gate.handle((v, e) -> null).thenRunAsync(() -> {
            chainedWrites--;
            if (!closed) {
                channel.writeAndFlush(publish, channel.voidPromise());
            }
            if (chainedWrites == 0) {
                writeChain = null;
            }
        }, channel.eventLoop());
        return false;
    }

    /** Whether the message, sent with its full topic, exceeds what the client accepts. */
    private boolean tooLarge(RoutedMessage routed) {
        if (client.maximumPacketSize() == Integer.MAX_VALUE) {
            return false;
        }
        StoredMessage m = routed.message();
        int topicLength = routed.topicUtf8() != null ? routed.topicUtf8().length
                : io.netty.buffer.ByteBufUtil.utf8Bytes(m.topic());
        OutgoingPublish.Mqtt5Publish v5 = new OutgoingPublish.Mqtt5Publish(0, false, routed.subscriptionIds(),
                m.expiresAtMillis() == 0 ? -1 : 0);
        return PublishEncoder.packetSize(m, topicLength, v5) > client.maximumPacketSize();
    }

    /**
     * The MQTT 5 part of a PUBLISH: the remaining expiry [MQTT5-3.3.2-6], the Subscription Identifiers, and a
     * topic alias when {@code alias} and the client allows them.
     */
    private OutgoingPublish.Mqtt5Publish mqtt5Part(StoredMessage m, int[] subscriptionIds, boolean alias) {
        long expiry = -1;
        if (m.expiresAtMillis() != 0) {
            expiry = Math.max(0, (m.expiresAtMillis() - broker.now() + 999) / 1000);
        }
        int topicAlias = 0;
        boolean omitTopic = false;
        if (alias && aliases != null) {
            int a = aliases.aliasFor(m.topic());
            topicAlias = Math.abs(a);
            omitTopic = a > 0;
        }
        if (topicAlias == 0 && expiry < 0 && subscriptionIds == null) {
            return OutgoingPublish.Mqtt5Publish.PLAIN;
        }
        return new OutgoingPublish.Mqtt5Publish(topicAlias, omitTopic, subscriptionIds, expiry);
    }

    /**
     * The Subscription Identifiers of a message that comes back from the store (queued while the session was
     * offline, or re-sent from the inflight window of an earlier connection): the store keeps the message but not
     * the identifiers it was routed with, so they are taken from the session's subscriptions that match its topic,
     * which cannot have changed while the session had no connection [MQTT5-3.3.4-3]. Shared subscriptions are
     * left out: whether a message came through one is not known any more. Null when none has an identifier.
     */
    private int[] storedSubscriptionIds(StoredMessage m) {
        if (!client.mqtt5()) {
            return null;
        }
        int[] ids = null;
        int n = 0;
        for (StoredSubscription sub : session.subscriptions().values()) {
            if (sub.subscriptionId() != 0 && !sub.filter().startsWith("$share/")
                    && TopicFilter.matches(sub.filter(), m.topic())) {
                if (ids == null) {
                    ids = new int[2];
                } else if (n == ids.length) {
                    ids = Arrays.copyOf(ids, 2 * n);
                }
                ids[n++] = sub.subscriptionId();
            }
        }
        return ids == null ? null : Arrays.copyOf(ids, n);
    }

    /** Write-ahead moves to the inflight store still running, by packet id; allocated on first use. */
    private HashMap<Integer, java.util.concurrent.CompletableFuture<Void>> moves;

    private HashMap<Integer, java.util.concurrent.CompletableFuture<Void>> moves() {
        if (moves == null) {
            moves = new HashMap<>();
        }
        return moves;
    }

    /** The moves from queue to inflight still running: a takeover waits for them before it reads the store. */
    List<java.util.concurrent.CompletableFuture<Void>> pendingMoves() {
        return moves == null ? List.of() : List.copyOf(moves.values());
    }

    /** Runs a store change of a packet id after its move from the queue, if one is pending (in store order). */
    private void afterMove(int packetId, boolean last, Runnable change) {
        java.util.concurrent.CompletableFuture<Void> move = moves == null ? null
                : last ? moves.remove(packetId) : moves.get(packetId);
        if (move == null || move.isDone()) {
            change.run();
        } else {
            move.whenComplete((v, e) -> change.run());
        }
    }

    /** A write-ahead message that will not be sent leaves the session's queue too. */
    private void forgetQueued(RoutedMessage dropped) {
        if (dropped != null && dropped.ticket() != null && session.isPersistent()) {
            SessionKey key = session.key();
            dropped.ticket().thenAccept(seq -> broker.stores().queues().remove(key, seq));
        }
    }

    /**
     * Flushes what this drain wrote so far, so that a burst larger than the limit (a batch of thousands of messages
     * forwarded by another node arrives at once) goes to the socket before anything is dropped: only what the
     * socket does not take counts as a slow subscriber. Cheap when the socket is full (Netty then waits for it).
     *
     * @return true when the pending bytes are below the limit after the flush
     */
    private boolean flushedBelowLimit() {
        channel.flush();
        return pendingBytes() <= maxPendingBytes;
    }

    private long pendingBytes() {
        io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    private int allocatePacketId() {
        // [MQTT-2.3.1-4] a new packet id must not be one still in use
        while (true) {
            int id = nextPacketId;
            nextPacketId = id == 65535 ? 1 : id + 1;
            if (inflight == null || !inflight.containsKey(id)) {
                return id;
            }
        }
    }

    /** PUBACK for QoS 1 or PUBCOMP for QoS 2: the exchange is over; the window moves on. */
    void completed(int packetId, int expectedQos) {
        InflightMessage m = inflightMessage(packetId);
        if (m == null || m.message().qos() != expectedQos) {
            return; // unknown or duplicate acknowledgement: nothing to do
        }
        inflight.remove(packetId);
        if (sharedInflight != null) {
            sharedInflight.remove(packetId);
        }
        broker.stats().inflight(-1);
        if (session.isPersistent()) {
            SessionKey key = session.key();
            afterMove(packetId, true, () -> broker.stores().inflight().remove(key, packetId));
        }
        refill();
    }

    /** PUBREC: the client has the QoS 2 message; answer PUBREL [MQTT-4.3.3-1] and remember that we did. */
    /**
     * PUBREC for an outgoing QoS 2 message: it is released (PUBREL) from now on.
     *
     * @return null for an unknown id; else what completes once the store has the released state: PUBREL goes out
     *         only then, so that a session resumed after this node died sends PUBREL again, not the PUBLISH, which
     *         the client, having released its id, would take for a new message [MQTT-4.3.3-2]
     */
    java.util.concurrent.CompletableFuture<?> receivedAndStored(int packetId) {
        InflightMessage m = inflightMessage(packetId);
        if (m == null || m.message().qos() != 2) {
            return null;
        }
        if (m.released() || !session.isPersistent()) {
            if (!m.released()) {
                inflight.put(packetId, new InflightMessage(packetId, m.message(), true));
            }
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        InflightMessage released = new InflightMessage(packetId, m.message(), true);
        inflight.put(packetId, released);
        SessionKey key = session.key();
        java.util.concurrent.CompletableFuture<Object> stored = new java.util.concurrent.CompletableFuture<>();
        afterMove(packetId, false, () -> broker.stores().inflight().put(key, released)
                .whenComplete((v, e) -> stored.complete(null)));
        return stored;
    }

    private void refill() {
        boolean wrote = false;
        while (inflightSize() < maxInflight && waitingSize() > 0) {
            broker.stats().queued(-1);
            wrote |= send(waiting.poll());
        }
        Queue<RoutedMessage> offers = incoming;
        if (offers != null && !offers.isEmpty() && ready && !closed) {
            wrote |= takeIncoming(); // what stayed offered for want of room
        }
        if (wrote) {
            channel.flush();
        }
        updateCongestion();
    }

    /**
     * The connection is gone: returns what was not sent yet, oldest first (waiting, then offered), and the QoS 1
     * messages of shared subscriptions that were sent and not acknowledged, so that another member of the group
     * gets them. A QoS 2 message sent to a shared member stays with it [MQTT5-4.8.2-4]. Inflight messages of a
     * persistent session are already in the store. QoS 0 messages of ordinary subscriptions are dropped here.
     */
    List<RoutedMessage> close() {
        closed = true;
        Congestion c = congestion;
        if (c != null) {
            c.wakeAll(); // publishers waiting for this subscriber go on
        }
        // this connection's inflight messages leave the count (a persistent session's stay in the store); its
        // waiting ones too: the caller queues them in the store again, which counts them there
        broker.stats().inflight(-inflightSize());
        broker.stats().queued(-waitingSize());
        List<RoutedMessage> left = new ArrayList<>(waitingSize());
        if (sharedInflight != null) {
            sharedInflight.forEach((id, group) -> {
                InflightMessage im = inflight.get(id);
                if (im != null && im.message().qos() == 1) {
                    left.add(new RoutedMessage(im.message(), null, null, null, group));
                    if (session.isPersistent()) {
                        broker.stores().inflight().remove(session.key(), id);
                    }
                }
            });
        }
        if (waiting != null) {
            left.addAll(waiting);
            waiting.clear();
        }
        Queue<RoutedMessage> offers = incoming;
        RoutedMessage m;
        while (offers != null && (m = offers.poll()) != null) {
            left.add(m);
        }
        for (Iterator<RoutedMessage> it = left.iterator(); it.hasNext(); ) {
            RoutedMessage r = it.next();
            if (r.message().qos() == 0 && r.group() == null) {
                it.remove();
                broker.stats().dropped(DropReason.OFFLINE_QOS0, 1);
            }
        }
        return left;
    }

    int inflightCount() {
        return inflightSize();
    }
}
