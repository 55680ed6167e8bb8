package dev.stratus.ingress.protocol;

import dev.stratus.ingress.codec.ReasonCodes;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;

import java.util.EnumMap;
import java.util.Map;

/** The handler for each packet type, looked up once per packet. Stateless and shared by all connections. */
public final class PacketHandlers {

    private final Map<MqttMessageType, PacketHandler> byType = new EnumMap<>(MqttMessageType.class);
    private final PacketHandler unexpected = (c, m) ->
            // packets only a server sends, or AUTH from a 3.1.1 client: a protocol violation
            c.protocolViolation("unexpected " + m.fixedHeader().messageType() + " from a client");

    public PacketHandlers() {
        byType.put(MqttMessageType.CONNECT, new ConnectHandler());
        byType.put(MqttMessageType.PUBLISH, new PublishHandler());
        byType.put(MqttMessageType.PUBACK, new PubAckHandler());
        byType.put(MqttMessageType.PUBREC, new PubRecHandler());
        byType.put(MqttMessageType.PUBREL, new PubRelHandler());
        byType.put(MqttMessageType.PUBCOMP, new PubCompHandler());
        byType.put(MqttMessageType.SUBSCRIBE, new SubscribeHandler());
        byType.put(MqttMessageType.UNSUBSCRIBE, new UnsubscribeHandler());
        byType.put(MqttMessageType.PINGREQ, new PingHandler());
        byType.put(MqttMessageType.DISCONNECT, new DisconnectHandler());
        byType.put(MqttMessageType.AUTH, new AuthHandler());
    }

    PacketHandler forType(MqttMessageType type) {
        return byType.getOrDefault(type, unexpected);
    }

    /**
     * A packet the decoder could not decode. A CONNECT with an unsupported protocol level gets CONNACK 0x01
     * [MQTT-3.1.2-2], one with an unacceptable client id CONNACK 0x02 [MQTT-3.1.3-9]; anything else malformed
     * closes the connection [MQTT-4.8.0-1].
     */
    void malformed(MqttConnection c, MqttMessage m) {
        Throwable cause = m.decoderResult().cause();
        if (c.state() == ConnectionState.AWAIT_CONNECT && cause instanceof MqttUnacceptableProtocolVersionException) {
            ConnectHandler.refuse(c, MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                    "unsupported protocol name or level");
            return;
        }
        if (c.state() == ConnectionState.AWAIT_CONNECT && cause instanceof MqttIdentifierRejectedException) {
            ConnectHandler.refuse(c, MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    "client identifier rejected");
            return;
        }
        String what = cause instanceof TooLongFrameException ? "packet too large"
                : cause instanceof DecoderException && cause.getMessage() != null ? cause.getMessage()
                : String.valueOf(cause);
        c.protocolViolation(cause instanceof TooLongFrameException ? ReasonCodes.PACKET_TOO_LARGE
                : ReasonCodes.MALFORMED_PACKET, "malformed packet: " + what);
    }
}
