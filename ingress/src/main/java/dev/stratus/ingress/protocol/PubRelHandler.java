package dev.stratus.ingress.protocol;

import dev.stratus.ingress.codec.ReasonCodes;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;

/**
 * PUBREL from the client: forget the QoS 2 packet id, so that a later PUBLISH with it is a new message, and
 * answer PUBCOMP [MQTT-4.3.3-2]. PUBCOMP is also sent for an id we do not know (a re-sent PUBREL); on MQTT 5 with
 * reason code 0x92, Packet Identifier not found.
 */
final class PubRelHandler implements PacketHandler {

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        int packetId = ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
        boolean known = c.receivedQos2().remove(packetId);
        if (known && c.session().isPersistent()) {
            c.broker().stores().inflight().release(c.session().key(), packetId);
        }
        c.send(Packets.pubcomp(packetId,
                known || !c.mqtt5() ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND));
    }
}
