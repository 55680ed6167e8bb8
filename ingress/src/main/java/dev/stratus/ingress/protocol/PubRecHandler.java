package dev.stratus.ingress.protocol;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;

/** PUBREC from the client: it has a QoS 2 message; answer PUBREL [MQTT-4.3.3-1]. */
final class PubRecHandler implements PacketHandler {

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        int packetId = ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
        // PUBREL is answered also for an unknown id, so that a client that lost state can finish its exchange
        c.outbound().received(packetId);
        c.context().write(Outbound.pubrel(packetId));
    }
}
