package dev.stratus.ingress.protocol;

import io.netty.handler.codec.mqtt.MqttMessage;

/** Handles one type of inbound packet on a connection. Runs on the connection's event loop; must not block. */
interface PacketHandler {

    void handle(MqttConnection connection, MqttMessage message);
}
