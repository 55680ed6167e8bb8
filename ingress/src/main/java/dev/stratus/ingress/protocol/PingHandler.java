package dev.stratus.ingress.protocol;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;

/** PINGREQ: answer PINGRESP [MQTT-3.12.4-1]. */
final class PingHandler implements PacketHandler {

    private static final MqttMessage PINGRESP = new MqttMessage(
            new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0));

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        c.context().write(PINGRESP);
    }
}
