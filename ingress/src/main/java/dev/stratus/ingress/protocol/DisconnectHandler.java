package dev.stratus.ingress.protocol;

import io.netty.handler.codec.mqtt.MqttMessage;

/** DISCONNECT: discard the will [MQTT-3.14.4-3] and close [MQTT-3.14.4-1]. */
final class DisconnectHandler implements PacketHandler {

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        c.disconnectedByClient();
    }
}
