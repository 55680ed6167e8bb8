package dev.stratus.ingress.protocol;

import dev.stratus.ingress.auth.AuthResult;
import dev.stratus.ingress.auth.Credentials;
import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.CloseReason;
import dev.stratus.ingress.session.Session;
import dev.stratus.ingress.session.SessionRegistry;
import dev.stratus.router.topic.TopicName;
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
        if (version == MqttVersion.MQTT_5) {
            // MQTT 5 is not served yet: CONNACK 0x01 in the 3.1.1 format, as MQTT 5 section 3.1.2.2 allows
            refuse(c, MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, "MQTT 5 not supported");
            return;
        }
        c.version(version);

        String invalid = flagsProblem(vh, payload);
        if (invalid != null) {
            c.protocolViolation(invalid);
            return;
        }

        String clientId = payload.clientIdentifier();
        if (clientId == null || !validIdentifierText(clientId)) {
            c.protocolViolation("client identifier is not valid UTF-8"); // [MQTT-1.5.3-1]
            return;
        }
        if (clientId.isEmpty()) {
            if (!vh.isCleanSession()) {
                // [MQTT-3.1.3-8] zero-length id with CleanSession=0: CONNACK 0x02, then close
                refuse(c, MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                        "empty client identifier with CleanSession=0");
                return;
            }
            // [MQTT-3.1.3-6] assign a unique client identifier
            clientId = "stratus-" + UUID.randomUUID();
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
                c.protocolViolation("invalid will topic"); // [MQTT-3.1.3-10], [MQTT-4.7.3-1]
                return;
            }
            will = new Will(new StoredMessage(topic, payload.willMessageInBytes(), vh.willQos(), vh.isWillRetain()));
        }

        c.connecting();
        if (!c.admit()) {
            refuse(c, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "maximum connections reached");
            return;
        }
        installKeepAlive(c, vh.keepAliveTimeSeconds());

        Broker broker = c.broker();
        Credentials credentials = new Credentials(clientId, username,
                vh.hasPassword() ? payload.passwordInBytes() : null);
        Will acceptedWill = will;
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
                refuse(c, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "authentication error");
            } else if (result == AuthResult.BAD_CREDENTIALS) {
                refuse(c, MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
            } else if (result == AuthResult.NOT_AUTHORIZED) {
                refuse(c, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "not authorized");
            } else {
                c.will(acceptedWill);
                claimSession(c, vh.isCleanSession());
            }
        });
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
    private static void installKeepAlive(MqttConnection c, int requestedSeconds) {
        int max = c.broker().config().limits().maxKeepAliveSeconds();
        int seconds = requestedSeconds == 0 || requestedSeconds > max ? max : requestedSeconds;
        c.startKeepAlive(seconds * 1500L);
    }

    private static void claimSession(MqttConnection c, boolean cleanSession) {
        Broker broker = c.broker();
        SessionKey key = new SessionKey(broker.tenant(), c.clientId());
        SessionRegistry.Claim claim = broker.sessions().claim(key, c);
        EventLoop loop = c.channel().eventLoop();
        CompletionStage<Resumed> prepared;
        if (claim.previousOwner() instanceof MqttConnection previous) {
            prepared = toStage(previous.takeOver()).thenComposeAsync(v -> prepareSession(c, claim, cleanSession), loop);
        } else if (loop.inEventLoop()) {
            // no connection to take over from: prepare right here instead of a round trip through the loop
            CompletionStage<Resumed> stage;
            try {
                stage = prepareSession(c, claim, cleanSession);
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            prepared = stage;
        } else {
            prepared = CompletableFuture.completedFuture(null)
                    .thenComposeAsync(v -> prepareSession(c, claim, cleanSession), loop);
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
                        refuse(c, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "session store error");
                        return;
                    }
                    accept(c, claim.session(), resumed);
                });
    }

    /** What a resumed session brings back; its queued messages are read after it is attached. */
    private record Resumed(boolean present, List<InflightMessage> inflight, Set<Integer> receivedQos2) {
        static final Resumed NONE = new Resumed(false, List.of(), Set.of());
    }

    private static CompletionStage<Resumed> prepareSession(MqttConnection c, SessionRegistry.Claim claim,
                                                           boolean cleanSession) {
        Broker broker = c.broker();
        Session session = claim.session();
        SessionKey key = session.key();
        if (cleanSession) {
            // [MQTT-3.1.2-6] discard any previous session and start a new one
            boolean hadState = session.isPersistent() || !claim.created();
            session.setPersistent(false);
            broker.unsubscribeAll(session);
            if (!hadState) {
                return CompletableFuture.completedFuture(Resumed.NONE);
            }
            return CompletableFuture.allOf(
                    broker.stores().sessions().delete(key).toCompletableFuture(),
                    // poll rather than clear: the queued-messages count learns how many are discarded
                    broker.stores().queues().poll(key, Integer.MAX_VALUE)
                            .thenAccept(discarded -> broker.stats().queued(-discarded.size())).toCompletableFuture(),
                    broker.stores().inflight().clear(key).toCompletableFuture())
                    .thenApply(v -> Resumed.NONE);
        }
        boolean wasPersistentHere = session.isPersistent();
        session.setPersistent(true);
        return broker.stores().sessions().find(key).thenCompose(stored -> {
            boolean present = wasPersistentHere || stored.isPresent();
            if (!wasPersistentHere) {
                restoreSubscriptions(broker, session, stored);
            }
            return broker.stores().sessions().upsert(key, StoredSession.NEVER_EXPIRES, 0)
                    .thenCompose(v -> broker.stores().inflight().list(key))
                    .thenCompose(inflight -> broker.stores().inflight().received(key)
                            .thenApply(received -> new Resumed(present, inflight, received)));
        });
    }

    private static void restoreSubscriptions(Broker broker, Session session, Optional<StoredSession> stored) {
        if (stored.isEmpty()) {
            return;
        }
        for (StoredSubscription sub : stored.get().subscriptions().values()) {
            broker.subscribe(session, sub);
        }
    }

    private static void accept(MqttConnection c, Session session, Resumed resumed) {
        Outbound outbound = new Outbound(c.channel(), c.broker(), session);
        c.session(session, outbound);
        if (!resumed.receivedQos2().isEmpty()) {
            c.receivedQos2().addAll(resumed.receivedQos2());
        }
        // [MQTT-3.2.2-1..3] session present only when a persistent session was resumed
        c.channel().write(connack(MqttConnectReturnCode.CONNECTION_ACCEPTED, resumed.present()));
        // from here on deliveries go to this connection and wait there behind what the store still queues
        session.attach(outbound);
        LOG.debugf("%s: connected (%s session%s)", c, session.isPersistent() ? "persistent" : "clean",
                resumed.present() ? ", resumed" : "");
        c.connected();
        if (!session.isPersistent()) {
            outbound.start(List.of(), List.of());
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

    /** CONNACK with a refusal code, then close [MQTT-3.2.2-5]. */
    static void refuse(MqttConnection c, MqttConnectReturnCode code, String why) {
        LOG.infof("%s: CONNECT refused: %s (%s)", c, why, code);
        c.closeAfterWrite(connack(code, false));
    }

    static MqttConnAckMessage connack(MqttConnectReturnCode code, boolean sessionPresent) {
        return new MqttConnAckMessage(new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnAckVariableHeader(code, sessionPresent));
    }

    private static CompletionStage<Void> toStage(io.netty.util.concurrent.Future<Void> f) {
        CompletableFuture<Void> stage = new CompletableFuture<>();
        f.addListener(done -> stage.complete(null));
        return stage;
    }
}
