package dev.stratus.ingress.protocol;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;

/** PUBCOMP from the client: a QoS 2 delivery is complete. */
final class PubCompHandler implements PacketHandler {

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        int packetId = ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
        c.outbound().completed(packetId, 2);
    }
}
