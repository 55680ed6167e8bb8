package dev.stratus.ingress.protocol;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * PUBREL from the client: forget the QoS 2 packet id, so that a later PUBLISH with it is a new message, and
 * answer PUBCOMP [MQTT-4.3.3-2]. PUBCOMP is also sent for an id we do not know (a re-sent PUBREL).
 */
final class PubRelHandler implements PacketHandler {

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        int packetId = ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
        if (c.receivedQos2().remove(packetId) && c.session().isPersistent()) {
            c.broker().stores().inflight().release(c.session().key(), packetId);
        }
        c.context().write(new MqttMessage(
                new MqttFixedHeader(MqttMessageType.PUBCOMP, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(packetId)));
    }
}
