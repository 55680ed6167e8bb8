package dev.stratus.ingress.protocol;

import dev.stratus.ingress.auth.AuthResult;
import dev.stratus.ingress.auth.Credentials;
import dev.stratus.ingress.auth.EnhancedAuthenticator;
import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.CloseReason;
import dev.stratus.ingress.session.Session;
import dev.stratus.ingress.session.SessionRegistry;
import dev.stratus.ingress.codec.ReasonCodes;
import dev.stratus.ingress.config.Features;
import dev.stratus.router.topic.TopicName;
import dev.stratus.state.model.MessageProperties;
import dev.stratus.state.model.InflightMessage;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.StoredSession;
import dev.stratus.state.model.StoredSubscription;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * CONNECT: validate, authenticate, claim the session (taking it over from an older connection), answer CONNACK,
 * and resume a persistent session's inflight and queued messages.
 */
final class ConnectHandler implements PacketHandler {

    private static final Logger LOG = Logger.getLogger(ConnectHandler.class);

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        if (c.state() != ConnectionState.AWAIT_CONNECT) {
            // [MQTT-3.1.0-2] a second CONNECT is a protocol violation
            c.protocolViolation("second CONNECT");
            return;
        }
        MqttConnectMessage connect = (MqttConnectMessage) message;
        MqttConnectVariableHeader vh = connect.variableHeader();
        MqttConnectPayload payload = connect.payload();

        MqttVersion version = MqttVersion.fromProtocolNameAndLevel(vh.name(), (byte) vh.version());
        c.version(version);
        boolean v5 = version == MqttVersion.MQTT_5;
        Features features = c.broker().config().features();

        String invalid = flagsProblem(vh, payload);
        if (invalid != null) {
            c.protocolViolation(invalid);
            return;
        }
        MqttProperties props = v5 ? vh.properties() : null;
        if (v5) {
            String problem = propertiesProblem(props);
            if (problem != null) {
                refuse(c, ReasonCodes.PROTOCOL_ERROR, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                        problem);
                return;
            }
            String method = Props.string(props, MqttPropertyType.AUTHENTICATION_METHOD);
            if (method != null) {
                EnhancedAuthenticator enhanced = c.broker().enhancedAuthenticator(method);
                if (enhanced == null) {
                    // [MQTT5-4.12.0-1] a method the broker does not offer: CONNACK 0x8C
                    refuse(c, ReasonCodes.BAD_AUTHENTICATION_METHOD,
                            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                            "unsupported authentication method '" + method + "'");
                    return;
                }
                c.enhancedAuth(new EnhancedAuth(enhanced));
            }
            c.options(new ClientOptions(true,
                    (int) Props.unsigned(props, MqttPropertyType.RECEIVE_MAXIMUM, 65535),
                    (int) Math.min(Integer.MAX_VALUE,
                            Props.unsigned(props, MqttPropertyType.MAXIMUM_PACKET_SIZE, Integer.MAX_VALUE)),
                    (int) Props.unsigned(props, MqttPropertyType.TOPIC_ALIAS_MAXIMUM, 0),
                    Props.unsigned(props, MqttPropertyType.REQUEST_PROBLEM_INFORMATION, 1) == 1));
        }

        String clientId = payload.clientIdentifier();
        if (clientId == null || !validIdentifierText(clientId)) {
            c.protocolViolation("client identifier is not valid UTF-8"); // [MQTT-1.5.3-1]
            return;
        }
        boolean assigned = false;
        if (clientId.isEmpty()) {
            if (!v5 && !vh.isCleanSession()) {
                // [MQTT-3.1.3-8] zero-length id with CleanSession=0: CONNACK 0x02, then close
                refuse(c, ReasonCodes.CLIENT_IDENTIFIER_NOT_VALID,
                        MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                        "empty client identifier with CleanSession=0");
                return;
            }
            // [MQTT-3.1.3-6] assign a unique client identifier; [MQTT5-3.1.3-7] and tell an MQTT 5 client
            clientId = assignClientId();
            assigned = true;
        }
        String username = vh.hasUserName() ? payload.userName() : null;
        if (username != null && !validIdentifierText(username)) {
            c.protocolViolation("user name is not valid UTF-8");
            return;
        }
        c.identify(clientId, username);

        Will will = null;
        if (vh.isWillFlag()) {
            String topic = payload.willTopic();
            if (topic == null || !TopicName.isValid(topic)) {
                c.protocolViolation(ReasonCodes.TOPIC_NAME_INVALID, "invalid will topic"); // [MQTT-3.1.3-10], [MQTT-4.7.3-1]
                return;
            }
            if (vh.isWillRetain() && !features.retainAvailable()) {
                // section 3.2.2.3.5: retain is not available: CONNACK 0x9A
                refuse(c, ReasonCodes.RETAIN_NOT_SUPPORTED, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                        "will retain requested but retain is not available");
                return;
            }
            if (vh.willQos() > features.maximumQos()) {
                // [MQTT5-3.2.2-12] will QoS above the maximum QoS: CONNACK 0x9B
                refuse(c, ReasonCodes.QOS_NOT_SUPPORTED, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                        "will QoS " + vh.willQos() + " above the maximum QoS " + features.maximumQos());
                return;
            }
            will = v5 ? will5(c, payload, vh) : new Will(new StoredMessage(topic, payload.willMessageInBytes(),
                    vh.willQos(), vh.isWillRetain()));
            if (will == null) {
                return; // refused
            }
        }

        // MQTT 3.1.1: CleanSession=1 ends the session with the connection, 0 keeps it for ever. MQTT 5: Clean Start
        // discards an existing session; the Session Expiry Interval says how long it outlives the connection.
        long requestedExpiry = v5 ? Props.unsigned(props, MqttPropertyType.SESSION_EXPIRY_INTERVAL, 0)
                : vh.isCleanSession() ? 0 : StoredSession.NEVER_EXPIRES;
        long expiry = Math.min(requestedExpiry, features.maxSessionExpirySeconds());
        c.connectSessionExpiry(expiry);
        boolean cleanStart = vh.isCleanSession();
        boolean clientIdAssigned = assigned;

        c.connecting();
        if (!c.admit()) {
            refuse(c, ReasonCodes.QUOTA_EXCEEDED, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    "maximum connections reached");
            return;
        }
        int keepAlive = installKeepAlive(c, vh.keepAliveTimeSeconds());
        // section 3.1.2.11.6: a client that asks for Response Information gets a topic prefix of its own
        String responseInformation = v5 && Props.unsigned(props, MqttPropertyType.REQUEST_RESPONSE_INFORMATION, 0) == 1
                ? RESPONSE_PREFIX + clientId + "/" : null;
        Connack connack = new Connack(clientIdAssigned ? clientId : null,
                keepAlive != vh.keepAliveTimeSeconds() ? keepAlive : -1,
                expiry != requestedExpiry ? expiry : -1, responseInformation, null, null);

        Broker broker = c.broker();
        Will acceptedWill = will;
        EnhancedAuth enhanced = c.enhancedAuth();
        if (enhanced != null) {
            // section 4.12: the exchange decides; the CONNACK that ends it carries the method and the last data
            enhanced.begin(c, Props.binary(props, MqttPropertyType.AUTHENTICATION_DATA), (serverData, user) -> {
                broker.stats().authenticated(AuthResult.ACCEPTED);
                c.identify(c.clientId(), user); // the proven identity is what the ACL sees
                c.will(acceptedWill);
                claimSession(c, cleanStart, expiry, connack.withAuthentication(enhanced.method(), serverData));
            });
            return;
        }
        Credentials credentials = new Credentials(clientId, username,
                vh.hasPassword() ? payload.passwordInBytes() : null);
        EventLoop loop = c.channel().eventLoop();
        Stages.onLoop(broker.authenticator().authenticate(credentials), loop, (result, error) -> {
            if (error != null) {
                broker.stats().authenticationError();
            } else {
                broker.stats().authenticated(result);
            }
            if (c.state() != ConnectionState.CONNECTING) {
                return; // closed meanwhile
            }
            if (error != null) {
                LOG.warnf(error, "%s: authentication failed with an error", c);
                refuse(c, ReasonCodes.SERVER_UNAVAILABLE, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                        "authentication error");
            } else if (result == AuthResult.BAD_CREDENTIALS) {
                refuse(c, ReasonCodes.BAD_USER_NAME_OR_PASSWORD,
                        MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
            } else if (result == AuthResult.NOT_AUTHORIZED) {
                refuse(c, ReasonCodes.NOT_AUTHORIZED, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                        "not authorized");
            } else {
                c.will(acceptedWill);
                claimSession(c, cleanStart, expiry, connack);
            }
        });
    }

    private static final char[] ID_CHARS =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();
    private static final java.security.SecureRandom ID_RANDOM = new java.security.SecureRandom();

    /**
     * A client identifier of 23 characters from [0-9a-zA-Z] (95 random bits after the prefix): the form every
     * server must accept [MQTT-3.1.3-5], and short, so that the CONNACK that carries it stays small.
     */
    static String assignClientId() {
        char[] id = new char[16];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_CHARS[ID_RANDOM.nextInt(ID_CHARS.length)];
        }
        return "stratus" + new String(id);
    }

    /** Flag combinations the spec forbids; each closes the connection. */
    private static String flagsProblem(MqttConnectVariableHeader vh, MqttConnectPayload payload) {
        if (!vh.isWillFlag() && (vh.willQos() != 0 || vh.isWillRetain())) {
            return "will QoS or will retain set without the will flag"; // [MQTT-3.1.2-13], [MQTT-3.1.2-15]
        }
        if (vh.willQos() > 2) {
            return "will QoS 3"; // [MQTT-3.1.2-14]
        }
        if (!vh.hasUserName() && vh.hasPassword()) {
            return "password flag without user name flag"; // [MQTT-3.1.2-22]
        }
        return null;
    }

    /** CONNECT property values the spec forbids (a Protocol Error); the decoder has checked their types. */
    private static String propertiesProblem(MqttProperties props) {
        if (Props.unsigned(props, MqttPropertyType.RECEIVE_MAXIMUM, 1) == 0) {
            return "Receive Maximum 0"; // section 3.1.2.11.3
        }
        if (Props.unsigned(props, MqttPropertyType.MAXIMUM_PACKET_SIZE, 1) == 0) {
            return "Maximum Packet Size 0"; // section 3.1.2.11.4
        }
        if (Props.unsigned(props, MqttPropertyType.REQUEST_RESPONSE_INFORMATION, 0) > 1) {
            return "Request Response Information other than 0 or 1";
        }
        if (Props.unsigned(props, MqttPropertyType.REQUEST_PROBLEM_INFORMATION, 0) > 1) {
            return "Request Problem Information other than 0 or 1";
        }
        if (!Props.has(props, MqttPropertyType.AUTHENTICATION_METHOD)
                && Props.has(props, MqttPropertyType.AUTHENTICATION_DATA)) {
            return "Authentication Data without Authentication Method"; // section 3.1.2.11.10
        }
        return null;
    }

    /** The will of an MQTT 5 CONNECT with its properties; null when refused (the CONNACK has been sent). */
    private static Will will5(MqttConnection c, MqttConnectPayload payload, MqttConnectVariableHeader vh) {
        MqttProperties wp = payload.willProperties();
        MessageProperties mp = Props.messageProperties(wp);
        byte[] body = payload.willMessageInBytes();
        if (mp.payloadFormatIndicator() != null && mp.payloadFormatIndicator() > 1) {
            refuse(c, ReasonCodes.PROTOCOL_ERROR, null, "will Payload Format Indicator above 1");
            return null;
        }
        if (mp.payloadFormatIndicator() != null && mp.payloadFormatIndicator() == 1 && !Utf8.isValid(body)) {
            // section 3.1.3.2.3: a will declared as UTF-8 must be UTF-8: CONNACK 0x99
            refuse(c, ReasonCodes.PAYLOAD_FORMAT_INVALID, null, "will payload is not valid UTF-8");
            return null;
        }
        if (!Props.validText(mp) || (mp.responseTopic() != null && !TopicName.isValid(mp.responseTopic()))) {
            refuse(c, ReasonCodes.PROTOCOL_ERROR, null, "invalid will properties");
            return null;
        }
        long expiry = Props.has(wp, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL)
                ? Props.unsigned(wp, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, 0) : -1;
        return new Will(new StoredMessage(payload.willTopic(), body, vh.willQos(), vh.isWillRetain(), 0, mp),
                Props.unsigned(wp, MqttPropertyType.WILL_DELAY_INTERVAL, 0), expiry);
    }

    /**
     * UTF-8 strings must not contain U+0000 [MQTT-1.5.3-2]; U+FFFD is what the decoder makes of malformed UTF-8
     * [MQTT-1.5.3-1]. Also used for the topic filters of SUBSCRIBE and UNSUBSCRIBE.
     */
    static boolean validIdentifierText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\u0000' || ch == '\uFFFD') {
                return false;
            }
        }
        return true;
    }

    /**
     * [MQTT-3.1.2-24] close after 1.5 times the keep alive without a packet. A client asking for no keep alive, or
     * for more than the configured maximum, gets the maximum: a broker must be able to find dead connections.
     */
    private static int installKeepAlive(MqttConnection c, int requestedSeconds) {
        int max = c.broker().config().limits().maxKeepAliveSeconds();
        int seconds = requestedSeconds == 0 || requestedSeconds > max ? max : requestedSeconds;
        c.startKeepAlive(seconds * 1500L);
        return seconds; // an MQTT 5 client is told in CONNACK when it differs [MQTT5-3.2.2-21]
    }

    /** What CONNACK tells an MQTT 5 client beyond the server's capabilities; -1 or null when not to be sent. */
    private record Connack(String assignedClientId, int serverKeepAlive, long sessionExpiry,
                           String responseInformation, String authMethod, byte[] authData) {

        Connack withAuthentication(String method, byte[] data) {
            return new Connack(assignedClientId, serverKeepAlive, sessionExpiry, responseInformation, method, data);
        }
    }

    /** The Response Information given to clients that ask: {@code response/{clientId}/}. */
    static final String RESPONSE_PREFIX = "response/";

    private static void claimSession(MqttConnection c, boolean cleanSession, long expiry, Connack connack) {
        Broker broker = c.broker();
        SessionKey key = new SessionKey(broker.tenant(), c.clientId());
        SessionRegistry.Claim claim = broker.sessions().claim(key, c);
        EventLoop loop = c.channel().eventLoop();
        CompletionStage<Resumed> prepared;
        dev.stratus.ingress.broker.ClusterLink cluster = broker.cluster();
        if (claim.previousOwner() instanceof dev.stratus.ingress.session.SessionOwner previous) {
            prepared = toStage(previous.takeOver())
                    .thenCompose(v -> cluster.claimSession(key)) // and from another node, in a cluster
                    .thenComposeAsync(v -> prepareSession(c, claim, cleanSession, expiry), loop);
        } else if (cluster != dev.stratus.ingress.broker.ClusterLink.NONE) {
            // [MQTT-3.1.4-2] a connection on another node may hold the session: it lets go first
            prepared = cluster.claimSession(key)
                    .thenComposeAsync(v -> prepareSession(c, claim, cleanSession, expiry), loop);
        } else if (loop.inEventLoop()) {
            // no connection to take over from: prepare right here instead of a round trip through the loop
            CompletionStage<Resumed> stage;
            try {
                stage = prepareSession(c, claim, cleanSession, expiry);
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            prepared = stage;
        } else {
            prepared = CompletableFuture.completedFuture(null)
                    .thenComposeAsync(v -> prepareSession(c, claim, cleanSession, expiry), loop);
        }
        Stages.onLoop(prepared, loop, (resumed, error) -> {
                    if (c.state() != ConnectionState.CONNECTING || !claim.session().isOwnedBy(c)) {
                        if (c.state() == ConnectionState.CONNECTING) {
                            c.close(CloseReason.TAKEN_OVER, "session taken over during connect");
                        }
                        return;
                    }
                    if (error != null) {
                        LOG.warnf(error, "%s: could not load the session", c);
                        refuse(c, ReasonCodes.SERVER_UNAVAILABLE,
                                MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "session store error");
                        return;
                    }
                    accept(c, claim.session(), resumed, connack);
                });
    }

    /** What a resumed session brings back; its queued messages are read after it is attached. */
    /** @param deliveryIds the cluster-wide ids of the received QoS 2 messages (cluster mode; else empty) */
    private record Resumed(boolean present, List<InflightMessage> inflight, Set<Integer> receivedQos2,
                           java.util.Map<Integer, String> deliveryIds) {
        static final Resumed NONE = new Resumed(false, List.of(), Set.of(), java.util.Map.of());
    }

    private static CompletionStage<Resumed> prepareSession(MqttConnection c, SessionRegistry.Claim claim,
                                                           boolean cleanStart, long expiry) {
        Broker broker = c.broker();
        Session session = claim.session();
        SessionKey key = session.key();
        if (cleanStart) {
            // [MQTT-3.1.2-6] discard any previous session and start a new one [MQTT5-3.1.2-4]
            boolean hadState = session.isPersistent() || !claim.created();
            session.setExpiryIntervalSeconds(0);
            broker.unsubscribeAll(session);
            CompletionStage<Void> discarded = hadState ? broker.discardStoredSession(key)
                    : CompletableFuture.completedFuture(null);
            session.setExpiryIntervalSeconds(expiry);
            if (expiry == 0) {
                return discarded.thenApply(v -> Resumed.NONE);
            }
            return discarded.thenCompose(v -> broker.stores().sessions().upsert(key, expiry, 0))
                    .thenApply(v -> Resumed.NONE);
        }
        boolean wasPersistentHere = session.isPersistent();
        session.setExpiryIntervalSeconds(expiry);
        return broker.stores().sessions().find(key).thenCompose(stored -> {
            boolean present = wasPersistentHere || stored.isPresent();
            CompletableFuture<Void> routed = wasPersistentHere ? CompletableFuture.completedFuture(null)
                    : restoreSubscriptions(broker, session, stored);
            return routed.thenCompose(r -> broker.stores().sessions().upsert(key, expiry, 0))
                    .thenCompose(v -> broker.stores().inflight().list(key))
                    .thenCompose(inflight -> broker.stores().inflight().received(key)
                            .thenCompose(received -> received.isEmpty() || !broker.writeAhead()
                                    ? CompletableFuture.completedFuture(new Resumed(present, inflight, received,
                                            java.util.Map.of()))
                                    : broker.stores().inflight().receivedDeliveryIds(key).thenApply(ids ->
                                            new Resumed(present, inflight, received, ids))));
        });
    }

    /** @return completes when a cluster knows this node has the session's filters */
    private static CompletableFuture<Void> restoreSubscriptions(Broker broker, Session session,
                                                                Optional<StoredSession> stored) {
        if (stored.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> routed = new java.util.ArrayList<>();
        for (StoredSubscription sub : stored.get().subscriptions().values()) {
            routed.add(broker.subscribe(session, sub).toCompletableFuture());
        }
        return CompletableFuture.allOf(routed.toArray(CompletableFuture[]::new));
    }

    private static void accept(MqttConnection c, Session session, Resumed resumed, Connack extra) {
        Outbound outbound = new Outbound(c.channel(), c.broker(), session, c.options());
        c.session(session, outbound);
        c.sessionStored(session.isPersistent() || resumed.present());
        if (!resumed.receivedQos2().isEmpty()) {
            c.receivedQos2().addAll(resumed.receivedQos2());
            c.resumedDeliveryIds(resumed.deliveryIds());
        }
        // [MQTT-3.2.2-1..3] session present only when a persistent session was resumed
        c.channel().write(c.mqtt5() ? connack5(c, resumed.present(), extra)
                : connack(MqttConnectReturnCode.CONNECTION_ACCEPTED, resumed.present()));
        // from here on deliveries go to this connection and wait there behind what the store still queues
        session.attach(outbound);
        LOG.debugf("%s: connected (%s session%s)", c, session.isPersistent() ? "persistent" : "clean",
                resumed.present() ? ", resumed" : "");
        c.connected();
        registerWill(c, session);
        if (!session.isPersistent() && !resumed.present()) {
            outbound.start(List.of(), List.of());
            return;
        }
        Broker b = c.broker();
        if (b.writeAhead()) {
            // the queue is a write-ahead log: read, not emptied; each message leaves it when it is sent
            b.stores().queues().peek(session.key(), Math.max(1, b.config().limits().maxQueued()))
                    .whenCompleteAsync((queued, error) -> {
                if (error != null) {
                    LOG.warnf(error, "%s: could not read the session queue", c);
                    c.close(CloseReason.SERVER_ERROR, "session store error");
                    return;
                }
                b.stats().queued(-queued.size());
                outbound.start(resumed.inflight(), queued.stream().map(q -> q.message()).toList(),
                        queued.stream().map(q -> q.sequence()).toList());
            }, c.channel().eventLoop());
            return;
        }
        c.broker().stores().queues().poll(session.key(), Integer.MAX_VALUE).whenCompleteAsync((queued, error) -> {
            if (error != null) {
                LOG.warnf(error, "%s: could not read the session queue", c);
                c.close(CloseReason.SERVER_ERROR, "session store error");
                return;
            }
            c.broker().stats().queued(-queued.size());
            outbound.start(resumed.inflight(), queued);
        }, c.channel().eventLoop());
    }

    /**
     * In a cluster the will is registered, so that a surviving node publishes it if this one dies. Only a will the
     * client may publish is registered (as when this node publishes it).
     */
    private static void registerWill(MqttConnection c, Session session) {
        Will w = c.will();
        Broker broker = c.broker();
        if (w == null || broker.cluster() == dev.stratus.ingress.broker.ClusterLink.NONE) {
            return;
        }
        String topic = w.message().topic();
        if (topic.startsWith("$SYS") || !broker.authorizer().canPublish(c.clientId(), c.username(), topic)) {
            return;
        }
        broker.cluster().registerWill(session.key(), w.message(), w.delaySeconds(), w.expirySeconds());
        c.willRegistered(true);
    }

    /**
     * CONNACK with a refusal code, then close [MQTT-3.2.2-5]: the MQTT 5 reason code to an MQTT 5 client, the
     * 3.1.1 return code to a 3.1.1 client ({@code code311} null: a problem only MQTT 5 can have, 0x03 is sent).
     */
    static void refuse(MqttConnection c, int code5, MqttConnectReturnCode code311, String why) {
        LOG.infof("%s: CONNECT refused: %s (0x%02X)", c, why, c.mqtt5() ? code5 : code311 == null ? 3 : code311.byteValue());
        if (c.mqtt5()) {
            MqttProperties props = c.options().problemInformation() ? Packets.reasonString(
                    Packets.reasonIfItFits(why, Packets.CONNACK_FIELDS, c.options().maximumPacketSize()))
                    : MqttProperties.NO_PROPERTIES;
            c.closeAfterWrite(new MqttConnAckMessage(CONNACK_HEADER,
                    new MqttConnAckVariableHeader(MqttConnectReturnCode.valueOf((byte) code5), false, props)));
            return;
        }
        c.closeAfterWrite(connack(code311 == null ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE : code311,
                false));
    }

    /** A refusal with a 3.1.1 return code before the protocol version is known to be 5. */
    static void refuse(MqttConnection c, MqttConnectReturnCode code, String why) {
        LOG.infof("%s: CONNECT refused: %s (%s)", c, why, code);
        c.closeAfterWrite(connack(code, false));
    }

    private static final MqttFixedHeader CONNACK_HEADER =
            new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0);

    static MqttConnAckMessage connack(MqttConnectReturnCode code, boolean sessionPresent) {
        return new MqttConnAckMessage(CONNACK_HEADER, new MqttConnAckVariableHeader(code, sessionPresent));
    }

    /**
     * The MQTT 5 CONNACK of an accepted connection: the server's limits and switches where they differ from the
     * defaults a client assumes [MQTT5-3.2.2-9], the assigned client identifier [MQTT5-3.2.2-16], the server
     * keep alive [MQTT5-3.2.2-21], and the session expiry when the server granted less than was asked.
     */
    private static MqttConnAckMessage connack5(MqttConnection c, boolean sessionPresent, Connack extra) {
        Features f = c.broker().config().features();
        MqttProperties p = new MqttProperties();
        if (extra.sessionExpiry() >= 0) {
            p.add(intProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL, (int) extra.sessionExpiry()));
        }
        if (f.receiveMaximum() != 65535) {
            p.add(intProperty(MqttPropertyType.RECEIVE_MAXIMUM, f.receiveMaximum()));
        }
        if (f.maximumQos() < 2) {
            p.add(intProperty(MqttPropertyType.MAXIMUM_QOS, f.maximumQos()));
        }
        if (!f.retainAvailable()) {
            p.add(intProperty(MqttPropertyType.RETAIN_AVAILABLE, 0));
        }
        p.add(intProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE, c.broker().config().limits().maxPacketSize()));
        if (extra.assignedClientId() != null) {
            p.add(new MqttProperties.StringProperty(MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value(),
                    extra.assignedClientId()));
        }
        if (f.topicAliasMaximum() > 0) {
            p.add(intProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM, f.topicAliasMaximum()));
        }
        if (!f.wildcardSubscriptions()) {
            p.add(intProperty(MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE, 0));
        }
        if (!f.subscriptionIdentifiers()) {
            p.add(intProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0));
        }
        if (!f.sharedSubscriptions()) {
            p.add(intProperty(MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE, 0));
        }
        if (extra.serverKeepAlive() >= 0) {
            p.add(intProperty(MqttPropertyType.SERVER_KEEP_ALIVE, extra.serverKeepAlive()));
        }
        if (extra.responseInformation() != null) {
            p.add(new MqttProperties.StringProperty(MqttPropertyType.RESPONSE_INFORMATION.value(),
                    extra.responseInformation()));
        }
        if (extra.authMethod() != null) {
            // [MQTT5-4.12.0-5] a successful CONNACK after enhanced authentication names the method
            p.add(new MqttProperties.StringProperty(MqttPropertyType.AUTHENTICATION_METHOD.value(), extra.authMethod()));
            if (extra.authData() != null) {
                p.add(new MqttProperties.BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(), extra.authData()));
            }
        }
        return new MqttConnAckMessage(CONNACK_HEADER,
                new MqttConnAckVariableHeader(MqttConnectReturnCode.CONNECTION_ACCEPTED, sessionPresent, p));
    }

    private static MqttProperties.IntegerProperty intProperty(MqttPropertyType type, int value) {
        return new MqttProperties.IntegerProperty(type.value(), value);
    }

    private static CompletionStage<Void> toStage(io.netty.util.concurrent.Future<Void> f) {
        CompletableFuture<Void> stage = new CompletableFuture<>();
        f.addListener(done -> stage.complete(null));
        return stage;
    }
}
