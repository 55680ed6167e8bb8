package dev.stratus.ingress.protocol;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;

/**
 * The acknowledgements and DISCONNECT the broker sends. Netty's encoder writes them in the format of the
 * connection's protocol version: reason codes and properties only on MQTT 5, and a success code without
 * properties in the short form (section 3.4.2.1).
 */
final class Packets {

    private static final MqttFixedHeader PUBACK = fixed(MqttMessageType.PUBACK, MqttQoS.AT_MOST_ONCE);
    private static final MqttFixedHeader PUBREC = fixed(MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE);
    private static final MqttFixedHeader PUBREL = fixed(MqttMessageType.PUBREL, MqttQoS.AT_LEAST_ONCE);
    private static final MqttFixedHeader PUBCOMP = fixed(MqttMessageType.PUBCOMP, MqttQoS.AT_MOST_ONCE);

    private Packets() {
    }

    static MqttMessage puback(int packetId, int reasonCode, String reason) {
        return reply(PUBACK, packetId, reasonCode, reason);
    }

    static MqttMessage pubrec(int packetId, int reasonCode, String reason) {
        return reply(PUBREC, packetId, reasonCode, reason);
    }

    /** [MQTT-3.6.1-1] PUBREL has QoS 1 in its fixed header flags. */
    static MqttMessage pubrel(int packetId, int reasonCode) {
        return reply(PUBREL, packetId, reasonCode, null);
    }

    static MqttMessage pubcomp(int packetId, int reasonCode) {
        return reply(PUBCOMP, packetId, reasonCode, null);
    }

    private static MqttMessage reply(MqttFixedHeader header, int packetId, int reasonCode, String reason) {
        if (reasonCode == 0 && reason == null) {
            return new MqttMessage(header, MqttMessageIdVariableHeader.from(packetId));
        }
        return new MqttMessage(header, new MqttPubReplyMessageVariableHeader(packetId, (byte) reasonCode,
                reasonString(reason)));
    }

    static MqttSubAckMessage suback(int packetId, int[] codes) {
        return new MqttSubAckMessage(fixed(MqttMessageType.SUBACK, MqttQoS.AT_MOST_ONCE),
                MqttMessageIdVariableHeader.from(packetId), new MqttSubAckPayload(codes));
    }

    /** UNSUBACK; with reason codes on MQTT 5 [MQTT5-3.11.3-1], without on 3.1.1. */
    static MqttUnsubAckMessage unsuback(int packetId, short[] codes, boolean mqtt5) {
        if (!mqtt5) {
            return new MqttUnsubAckMessage(fixed(MqttMessageType.UNSUBACK, MqttQoS.AT_MOST_ONCE),
                    MqttMessageIdVariableHeader.from(packetId));
        }
        return new MqttUnsubAckMessage(fixed(MqttMessageType.UNSUBACK, MqttQoS.AT_MOST_ONCE),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttUnsubAckPayload(codes));
    }

    /** An MQTT 5 DISCONNECT from the server with a reason code [MQTT5-3.14.2-1] and, optionally, a reason string. */
    static MqttMessage disconnect(int reasonCode, String reason) {
        return new MqttMessage(fixed(MqttMessageType.DISCONNECT, MqttQoS.AT_MOST_ONCE),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, reasonString(reason)));
    }

    /** Bytes before the properties in the variable header of a PUBACK or PUBREC with a reason code: id and code. */
    static final int ACK_FIELDS = 3;
    /** ... of a DISCONNECT: the reason code. */
    static final int DISCONNECT_FIELDS = 1;
    /** ... of a CONNACK: the acknowledge flags and the reason code. */
    static final int CONNACK_FIELDS = 2;

    /**
     * {@code reason}, or null when a Reason String property would make a packet whose variable header holds
     * {@code headerBytes} before its properties larger than the client's Maximum Packet Size: the reason string is
     * left out rather than the packet [MQTT5-3.2.2-19] [MQTT5-3.4.2-2] [MQTT5-3.5.2-2] [MQTT5-3.14.2-3].
     */
    static String reasonIfItFits(String reason, int headerBytes, int maximumPacketSize) {
        if (reason == null) {
            return null;
        }
        int properties = 1 + 2 + io.netty.buffer.ByteBufUtil.utf8Bytes(reason);
        int body = headerBytes + vbiSize(properties) + properties;
        long size = 1L + vbiSize(body) + body;
        return size <= maximumPacketSize ? reason : null;
    }

    private static int vbiSize(int value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    static MqttProperties reasonString(String reason) {
        if (reason == null) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(), reason));
        return props;
    }

    private static MqttFixedHeader fixed(MqttMessageType type, MqttQoS qos) {
        return new MqttFixedHeader(type, false, qos, false, 0);
    }
}
