package dev.stratus.ingress.protocol;

import dev.stratus.ingress.codec.ReasonCodes;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;

/**
 * PUBREC from the client: it has a QoS 2 message; answer PUBREL [MQTT-4.3.3-1]. An MQTT 5 PUBREC with a reason
 * code of 0x80 or more ends the exchange: no PUBREL, and the packet id is free again [MQTT5-4.3.3-4].
 */
final class PubRecHandler implements PacketHandler {

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        int packetId = ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
        // the reason code is a signed byte: 0x80 and above are negative
        if (message.variableHeader() instanceof MqttPubReplyMessageVariableHeader reply
                && (reply.reasonCode() & 0xFF) >= 0x80) {
            // [MQTT5-4.4.0-2] acknowledged for good: no PUBREL, no re-send
            c.outbound().completed(packetId, 2);
            return;
        }
        // PUBREL is answered also for an unknown id, so that a client that lost state can finish its exchange;
        // MQTT 5 says that the id was not found (0x92)
        java.util.concurrent.CompletableFuture<?> stored = c.outbound().receivedAndStored(packetId);
        if (stored == null) {
            c.send(Packets.pubrel(packetId, c.mqtt5() ? ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND : ReasonCodes.SUCCESS));
            return;
        }
        // PUBREL once the released state is stored (at once in memory; after the write in a cluster)
        if (stored.isDone()) {
            c.send(Packets.pubrel(packetId, ReasonCodes.SUCCESS)); // flushed when this read is done
            return;
        }
        stored.whenCompleteAsync((v, e) -> {
            c.send(Packets.pubrel(packetId, ReasonCodes.SUCCESS));
            c.channel().flush();
        }, c.channel().eventLoop());
    }
}
