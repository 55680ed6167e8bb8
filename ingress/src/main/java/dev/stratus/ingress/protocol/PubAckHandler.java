package dev.stratus.ingress.protocol;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;

/** PUBACK from the client: a QoS 1 delivery is complete [MQTT-4.3.2-1]. */
final class PubAckHandler implements PacketHandler {

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        int packetId = ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
        c.outbound().completed(packetId, 1);
    }
}
