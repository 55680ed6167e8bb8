package dev.stratus.ingress.protocol;

import dev.stratus.ingress.auth.AuthExchange;
import dev.stratus.ingress.auth.AuthStep;
import dev.stratus.ingress.auth.EnhancedAuthenticator;
import dev.stratus.ingress.broker.CloseReason;
import dev.stratus.ingress.codec.ReasonCodes;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import org.jboss.logging.Logger;

import java.util.function.BiConsumer;

/**
 * The MQTT 5 enhanced authentication of one connection (section 4.12): the method the CONNECT named, and the
 * exchange in progress, if any. The exchange runs steps of an {@link AuthExchange}: each CONTINUE is sent as
 * AUTH 0x18 [MQTT5-4.12.0-2] and waits for the client's AUTH 0x18; SUCCESS completes the CONNECT (CONNACK 0x00)
 * or the re-authentication (AUTH 0x00); FAILURE refuses the CONNECT [MQTT5-4.12.0-4] or, when
 * re-authenticating, disconnects [MQTT5-4.12.1-2]. Every AUTH and the CONNACK carry the method
 * [MQTT5-4.12.0-5]. Event-loop confined.
 */
final class EnhancedAuth {

    private static final Logger LOG = Logger.getLogger(EnhancedAuth.class);
    private static final MqttFixedHeader AUTH_HEADER =
            new MqttFixedHeader(MqttMessageType.AUTH, false, MqttQoS.AT_MOST_ONCE, false, 0);

    private final EnhancedAuthenticator authenticator;
    private AuthExchange exchange;
    private BiConsumer<byte[], String> onSuccess;

    EnhancedAuth(EnhancedAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    String method() {
        return authenticator.method();
    }

    boolean inProgress() {
        return exchange != null;
    }

    /**
     * Starts an exchange with the client's first Authentication Data.
     *
     * @param onSuccess given the server's final data and the user the client proved to be
     */
    void begin(MqttConnection c, byte[] data, BiConsumer<byte[], String> onSuccess) {
        this.exchange = authenticator.start(c.clientId(), c.username());
        this.onSuccess = onSuccess;
        step(c, data);
    }

    /** Feeds the client's next Authentication Data (from AUTH 0x18) to the exchange in progress. */
    void step(MqttConnection c, byte[] data) {
        AuthExchange current = exchange;
        Stages.onLoop(current.step(data), c.channel().eventLoop(), (step, error) -> {
            if (c.state() == ConnectionState.CLOSED || exchange != current) {
                return;
            }
            if (error != null || step.outcome() == AuthStep.Outcome.FAILURE) {
                String why = error != null ? "authentication error: " + error.getMessage() : step.reason();
                exchange = null;
                fail(c, why);
                return;
            }
            if (step.outcome() == AuthStep.Outcome.CONTINUE) {
                c.channel().writeAndFlush(auth(ReasonCodes.CONTINUE_AUTHENTICATION, step.serverData()));
                return;
            }
            exchange = null;
            BiConsumer<byte[], String> done = onSuccess;
            onSuccess = null;
            done.accept(step.serverData(), current.authenticatedUser());
        });
    }

    private void fail(MqttConnection c, String why) {
        c.broker().stats().authenticated(dev.stratus.ingress.auth.AuthResult.BAD_CREDENTIALS);
        if (c.state() == ConnectionState.CONNECTING) {
            ConnectHandler.refuse(c, ReasonCodes.NOT_AUTHORIZED, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                    method() + " failed: " + why);
        } else {
            LOG.infof("%s: re-authentication failed: %s", c, why);
            c.disconnect(ReasonCodes.NOT_AUTHORIZED, CloseReason.PROTOCOL_ERROR, "re-authentication failed");
        }
    }

    /** An AUTH packet from the broker with the method and, if given, data. */
    MqttMessage auth(int reasonCode, byte[] data) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.StringProperty(MqttPropertyType.AUTHENTICATION_METHOD.value(), method()));
        if (data != null) {
            p.add(new MqttProperties.BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(), data));
        }
        return new MqttMessage(AUTH_HEADER, new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, p));
    }
}
