package dev.stratus.ingress.protocol;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.CloseReason;
import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.codec.ReasonCodes;
import dev.stratus.ingress.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import org.jboss.logging.Logger;

import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One MQTT connection: the last stage of the channel pipeline. It owns the protocol state of the connection and
 * dispatches each decoded packet to the handler of its type ({@link PacketHandlers}); the handlers do the work.
 * Everything here runs on the channel's event loop.
 */
public final class MqttConnection extends ChannelInboundHandlerAdapter implements dev.stratus.ingress.session.SessionOwner {

    private static final Logger LOG = Logger.getLogger(MqttConnection.class);
    /** Packets that arrive while CONNECT is being processed wait here; a client may pipeline a few. */
    private static final int MAX_DEFERRED = 1024;

    private final Broker broker;
    private final PacketHandlers handlers;
    private final String transport;
    private Channel channel;
    private ChannelHandlerContext ctx;
    private ConnectionState state = ConnectionState.AWAIT_CONNECT;
    private final ConnectionTimers timers;
    /** This connection's place in its loop's {@link ConnectionTimers}; -1 when not in it. */
    private int timerSlot = -1;
    /** Allocated on first use: most connections never defer a packet. */
    private ArrayDeque<MqttMessage> deferred;
    /**
     * Completed once this connection has handed its session over ({@link #takeOver()}); created only when another
     * connection asks, under this object's monitor together with {@link #inactive}.
     */
    private Promise<Void> detached;
    private boolean inactive;
    /** Completes when what the session left behind is in the store; set when the connection goes inactive. */
    private CompletionStage<Void> handedOver;
    private static final CompletionStage<Void> DONE = java.util.concurrent.CompletableFuture.completedFuture(null);
    /** Keep alive [MQTT-3.1.2-24], 0 until CONNECT: 1.5 times the keep alive, as an IdleStateHandler would do it. */
    private long keepAliveNanos;
    /**
     * When the last read completed; until CONNECT arrives, when the connection opened (the CONNECT deadline counts
     * from there: nothing reaches this handler before a whole first packet, which ends the wait either way).
     */
    private long lastReadNanos;
    private boolean reading;
    /** The longest a publisher waits for a congested subscriber before reading again. */
    static final long MAX_READ_PAUSE_MILLIS = 2000;
    private boolean readPaused;
    private ScheduledFuture<?> pauseTimeout;
    /** Numbers the pauses: the wake-up of an earlier pause (left registered when it timed out) ends no later one. */
    private int pauses;

    // set by CONNECT
    private MqttVersion version = MqttVersion.MQTT_3_1_1;
    private String clientId;
    private String username;
    private Session session;
    private Outbound outbound;
    private Will will;
    private boolean cleanDisconnect;
    private boolean takenOver;
    private boolean countedAsConnection;
    private boolean countedAsSocket;
    /** The first reason given for closing; null until then. */
    private CloseReason closeReason;
    /** Inbound QoS 2 packet ids received and not yet released by PUBREL [MQTT-4.3.3-2]; allocated on first use. */
    private Set<Integer> receivedQos2;
    private java.util.Map<Integer, String> resumedDeliveryIds;
    /** What the client asked for in CONNECT (MQTT 5 properties). */
    private ClientOptions options = ClientOptions.MQTT_3;
    /** MQTT 5 topic aliases the client set, allocated on first use. */
    private TopicAliases inboundAliases;
    /** Inbound QoS 1 PUBLISH packets not yet acknowledged (counted against the Receive Maximum). */
    private int unackedQos1;
    /** The MQTT 5 enhanced authentication the CONNECT asked for, or null. */
    private EnhancedAuth enhancedAuth;
    /** Whether this connection's will is registered in the cluster (so that a survivor publishes it). */
    private boolean willRegistered;
    /** Whether the store holds the session (persistent, or resumed): it must be removed when the session ends. */
    private boolean sessionStored;
    /** The Session Expiry Interval the CONNECT asked for, for the rule on changing it at DISCONNECT. */
    private long connectSessionExpiry;

    public MqttConnection(Broker broker, PacketHandlers handlers, ConnectionTimers timers, String transport) {
        this.broker = broker;
        this.handlers = handlers;
        this.timers = timers;
        this.transport = transport;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        this.ctx = context;
        this.channel = context.channel();
        countedAsSocket = true;
        broker.stats().socketOpened();
        lastReadNanos = System.nanoTime();
        timers.on(context.executor()).add(this);
        context.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        reading = true;
        if (!(msg instanceof MqttMessage message)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (state == ConnectionState.CLOSED) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (readPaused && state == ConnectionState.CONNECTED && message.decoderResult().isSuccess()) {
            // back-pressure: the rest of what was already read waits (at most one read's worth)
            deferred().add(message);
            return;
        }
        if (state == ConnectionState.CONNECTING && message.decoderResult().isSuccess()
                && message.fixedHeader().messageType() != MqttMessageType.AUTH) {
            // AUTH steps of an enhanced authentication are handled while connecting; the rest waits for CONNACK
            if (deferred != null && deferred.size() >= MAX_DEFERRED) {
                ReferenceCountUtil.release(message);
                protocolViolation("too many packets before CONNACK");
                return;
            }
            deferred().add(message);
            return;
        }
        dispatch(message);
    }

    private void dispatch(MqttMessage message) {
        try {
            if (message.decoderResult().isFailure()) {
                handlers.malformed(this, message);
                return;
            }
            MqttMessageType type = message.fixedHeader().messageType();
            if (state == ConnectionState.AWAIT_CONNECT && type != MqttMessageType.CONNECT) {
                // [MQTT-3.1.0-1] the first packet from the client must be CONNECT
                protocolViolation("first packet was " + type + ", not CONNECT");
                return;
            }
            handlers.forType(type).handle(this, message);
        } catch (RuntimeException e) {
            LOG.warnf(e, "%s: failed to handle %s, closing", this, message.fixedHeader().messageType());
            close(CloseReason.SERVER_ERROR, "internal error");
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        if (outbound != null) {
            outbound.updateCongestion();
        }
        context.fireChannelWritabilityChanged();
    }

    /**
     * Back-pressure: a message this client published went to a subscriber that cannot keep up; stop reading from
     * this client until that subscriber catches up, for at most {@link #MAX_READ_PAUSE_MILLIS}. TCP then slows the
     * publisher down instead of the broker dropping its messages.
     */
    void pauseReadingFor(dev.stratus.ingress.broker.Backpressure congested) {
        if (readPaused || state == ConnectionState.CLOSED || congested == outbound) {
            return; // its own subscription: pausing would stop it reading the acknowledgements that relieve it
        }
        int pause = ++pauses;
        if (!congested.awaitUncongested(() -> channel.eventLoop().execute(() -> resumeReading(pause)))) {
            return;
        }
        readPaused = true;
        channel.config().setAutoRead(false);
        // a subscriber that never catches up (it stopped reading) must not stall its publishers for good
        pauseTimeout = ctx.executor().schedule(() -> resumeReading(pause), MAX_READ_PAUSE_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private void resumeReading(int pause) {
        if (!readPaused || pause != pauses) {
            return;
        }
        readPaused = false;
        pauseTimeout.cancel(false);
        replayDeferred();
        if (!readPaused && state != ConnectionState.CLOSED) {
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (reading) {
            lastReadNanos = System.nanoTime();
            reading = false;
        }
        // acknowledgements written while handling this read go out in one flush
        context.flush();
        context.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object evt) {
        context.fireUserEventTriggered(evt);
    }

    /**
     * [MQTT-3.1.2-24] close after {@code millis} without a packet (a read counts when its read completes, as for
     * Netty's reader-idle IdleStateHandler), noticed by the loop's {@link ConnectionTimers} within a period.
     */
    void startKeepAlive(long millis) {
        keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        lastReadNanos = System.nanoTime();
        reading = false;
    }

    /** Called by {@link ConnectionTimers} on this connection's event loop, about once a second. */
    void checkDeadlines(long now, long connectTimeoutNanos) {
        if (state == ConnectionState.AWAIT_CONNECT) {
            if (now - lastReadNanos >= connectTimeoutNanos) {
                LOG.debugf("%s: no CONNECT within %d ms, closing", this, connectTimeoutNanos / 1_000_000);
                close(CloseReason.CONNECT_TIMEOUT, "connect timeout");
            }
            return;
        }
        if (keepAliveNanos == 0 || state == ConnectionState.CLOSED || reading
                || now - lastReadNanos < keepAliveNanos) {
            return;
        }
        if (readPaused) {
            lastReadNanos = now; // we stopped reading (back-pressure): the client's silence is ours
            return;
        }
        // nothing received for 1.5 times the keep alive: close as a network failure
        LOG.debugf("%s: keep alive expired, closing", this);
        disconnect(ReasonCodes.KEEP_ALIVE_TIMEOUT, CloseReason.KEEP_ALIVE_TIMEOUT, "keep alive timeout");
    }

    int timerSlot() {
        return timerSlot;
    }

    void timerSlot(int slot) {
        this.timerSlot = slot;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            LOG.debugf("%s: %s", this, cause.getMessage());
        } else if (cause instanceof io.netty.handler.codec.DecoderException
                && cause.getCause() instanceof javax.net.ssl.SSLException) {
            // a client without TLS on the TLS port, or a failed handshake: the client's problem, one line
            LOG.infof("%s: TLS failed: %s; closing", this, cause.getCause().getMessage());
        } else {
            LOG.warnf(cause, "%s: unexpected error, closing", this);
        }
        close(CloseReason.SOCKET_ERROR, "socket error");
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        state = ConnectionState.CLOSED;
        timers.on(context.executor()).remove(this);
        if (deferred != null) {
            deferred.forEach(ReferenceCountUtil::release);
            deferred.clear();
        }
        CompletionStage<Void> left = DONE;
        try {
            if (session != null) {
                left = new ConnectionCleanup(this).run();
            }
        } finally {
            if (countedAsConnection) {
                broker.stats().connectionClosed();
            }
            if (countedAsSocket) {
                // closed without a reason given here: by the peer (or the network), or by shutdown closing all
                broker.stats().socketClosed(closeReason != null ? closeReason
                        : broker.isShuttingDown() ? CloseReason.SERVER_SHUTDOWN : CloseReason.SOCKET_ERROR);
            }
            Promise<Void> waiting;
            synchronized (this) {
                inactive = true;
                handedOver = left;
                waiting = detached;
            }
            if (waiting != null) {
                left.whenComplete((v, e) -> waiting.trySuccess(null));
            }
            context.fireChannelInactive();
        }
    }

    // ---- used by the packet handlers -------------------------------------------------------------------------

    Broker broker() {
        return broker;
    }

    Channel channel() {
        return channel;
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    /**
     * Writes a packet (flushed at the end of the read, or by the caller) with the channel's void promise: no promise
     * object per packet. A write that fails reaches {@link #exceptionCaught}, which closes the connection.
     */
    void send(Object packet) {
        ctx.write(packet, ctx.voidPromise());
    }

    ConnectionState state() {
        return state;
    }

    void connecting() {
        state = ConnectionState.CONNECTING;
    }

    private ArrayDeque<MqttMessage> deferred() {
        if (deferred == null) {
            deferred = new ArrayDeque<>();
        }
        return deferred;
    }

    /** CONNACK 0x00 was written: replay what the client sent meanwhile. */
    void connected() {
        state = ConnectionState.CONNECTED;
        replayDeferred();
    }

    /** Handles what arrived while CONNECT was processed or reading was paused, until paused again. */
    private void replayDeferred() {
        MqttMessage m;
        while (deferred != null && state == ConnectionState.CONNECTED && !readPaused && (m = deferred.poll()) != null) {
            dispatch(m);
        }
        ctx.flush();
    }

    /** Counts this connection against the maximum. @return false when the broker is full */
    boolean admit() {
        countedAsConnection = true;
        return broker.stats().connectionOpened() <= broker.config().limits().maxConnections();
    }

    MqttVersion version() {
        return version;
    }

    void version(MqttVersion v) {
        this.version = v;
    }

    String clientId() {
        return clientId;
    }

    String username() {
        return username;
    }

    void identify(String id, String user) {
        this.clientId = id;
        this.username = user;
    }

    Session session() {
        return session;
    }

    void session(Session s, Outbound o) {
        this.session = s;
        this.outbound = o;
    }

    Outbound outbound() {
        return outbound;
    }

    Will will() {
        return will;
    }

    void will(Will w) {
        this.will = w;
    }

    /**
     * The cluster-wide delivery ids of the QoS 2 messages this session had received, not released, when it was
     * resumed: if the publisher sends one again, its earlier node may have died before it delivered it everywhere.
     */
    void resumedDeliveryIds(java.util.Map<Integer, String> ids) {
        this.resumedDeliveryIds = ids.isEmpty() ? null : new java.util.HashMap<>(ids);
    }

    /** The delivery id a resumed receipt of {@code packetId} had (once), or null. */
    String takeResumedDeliveryId(int packetId) {
        return resumedDeliveryIds == null ? null : resumedDeliveryIds.remove(packetId);
    }

    Set<Integer> receivedQos2() {
        if (receivedQos2 == null) {
            receivedQos2 = new HashSet<>();
        }
        return receivedQos2;
    }

    boolean cleanDisconnect() {
        return cleanDisconnect;
    }

    boolean mqtt5() {
        return version == MqttVersion.MQTT_5;
    }

    ClientOptions options() {
        return options;
    }

    void options(ClientOptions o) {
        this.options = o;
    }

    TopicAliases inboundAliases() {
        if (inboundAliases == null) {
            inboundAliases = new TopicAliases(broker.config().features().topicAliasMaximum());
        }
        return inboundAliases;
    }

    /** QoS 1/2 PUBLISH packets received and not yet acknowledged, for the Receive Maximum [MQTT5-3.3.4-7]. */
    int unacknowledgedInbound() {
        return unackedQos1 + (receivedQos2 == null ? 0 : receivedQos2.size());
    }

    void qos1Received() {
        unackedQos1++;
    }

    void qos1Acknowledged() {
        unackedQos1--;
    }

    EnhancedAuth enhancedAuth() {
        return enhancedAuth;
    }

    void enhancedAuth(EnhancedAuth auth) {
        this.enhancedAuth = auth;
    }

    boolean willRegistered() {
        return willRegistered;
    }

    void willRegistered(boolean registered) {
        this.willRegistered = registered;
    }

    boolean sessionStored() {
        return sessionStored;
    }

    void sessionStored(boolean stored) {
        this.sessionStored = stored;
    }

    long connectSessionExpiry() {
        return connectSessionExpiry;
    }

    void connectSessionExpiry(long seconds) {
        this.connectSessionExpiry = seconds;
    }

    boolean takenOver() {
        return takenOver;
    }

    /**
     * DISCONNECT received: close without publishing the will [MQTT-3.14.4-3], unless an MQTT 5 client sent another
     * reason code than 0x00: 0x04 or an error [MQTT5-3.14.4-3].
     */
    void disconnectedByClient(boolean publishWill) {
        cleanDisconnect = !publishWill;
        if (!publishWill) {
            will = null;
        }
        close(CloseReason.CLIENT_DISCONNECT, "client disconnected");
    }

    /**
     * Another connection claimed this session [MQTT-3.1.4-2]: close, and complete the returned future (on this
     * connection's event loop) once this connection has handed the session over.
     */
    @Override
    public Future<Void> takeOver() {
        Promise<Void> done;
        synchronized (this) {
            if (detached == null) {
                detached = channel.eventLoop().newPromise();
                if (inactive) {
                    Promise<Void> p = detached;
                    handedOver.whenComplete((v, e) -> p.trySuccess(null));
                }
            }
            done = detached;
        }
        channel.eventLoop().execute(() -> {
            if (state != ConnectionState.CLOSED) {
                takenOver = true;
                LOG.debugf("%s: session taken over by a new connection", this);
                // [MQTT5-3.1.4-3] an MQTT 5 client learns why: 0x8E
                disconnect(ReasonCodes.SESSION_TAKEN_OVER, CloseReason.TAKEN_OVER, "session taken over");
            }
        });
        return done;
    }

    void protocolViolation(String what) {
        protocolViolation(ReasonCodes.PROTOCOL_ERROR, what);
    }

    /** A protocol violation: logged; an MQTT 5 client gets DISCONNECT with {@code reasonCode} [MQTT5-4.13.1-1]. */
    void protocolViolation(int reasonCode, String what) {
        LOG.infof("%s: protocol violation: %s; closing", this, what);
        disconnect(reasonCode, CloseReason.PROTOCOL_ERROR, what);
    }

    /**
     * Closes the connection; an MQTT 5 client that has had its CONNACK is first sent DISCONNECT with
     * {@code reasonCode} and {@code why} as reason string [MQTT5-3.14.2-1]. A 3.1.1 client is just closed.
     */
    void disconnect(int reasonCode, CloseReason reason, String why) {
        if (mqtt5() && state == ConnectionState.CONNECTED && channel != null && channel.isActive()) {
            channel.write(Packets.disconnect(reasonCode,
                    Packets.reasonIfItFits(why, Packets.DISCONNECT_FIELDS, options().maximumPacketSize())));
        }
        close(reason, why);
    }

    void droppedPublish(DropReason reason) {
        broker.stats().dropped(reason, 1);
    }

    /** Closes the connection; {@code reason} is counted (the first one given wins), {@code why} is logged. */
    void close(CloseReason reason, String why) {
        if (closeReason == null) {
            closeReason = reason;
        }
        if (state != ConnectionState.CLOSED) {
            state = ConnectionState.CLOSED;
            LOG.tracef("%s: closing (%s)", this, why);
        }
        if (channel != null) {
            channel.flush();
            channel.close();
        }
    }

    /** The server is going down: an MQTT 5 client is told so with DISCONNECT 0x8B; every client is closed. */
    public void serverShutdown() {
        disconnect(ReasonCodes.SERVER_SHUTTING_DOWN, CloseReason.SERVER_SHUTDOWN, "server shutting down");
    }

    /** Writes a last packet (a refusing CONNACK), then closes: counted as {@link CloseReason#CONNECT_REFUSED}. */
    void closeAfterWrite(MqttMessage last) {
        if (closeReason == null) {
            closeReason = CloseReason.CONNECT_REFUSED;
        }
        state = ConnectionState.CLOSED;
        channel.writeAndFlush(last).addListener(f -> channel.close());
    }


    @Override
    public String toString() {
        SocketAddress remote = channel == null ? null : channel.remoteAddress();
        return transport + " " + remote + (clientId == null ? "" : " client '" + clientId + "'");
    }
}
