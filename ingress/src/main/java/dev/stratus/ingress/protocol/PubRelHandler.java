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
        int code = known || !c.mqtt5() ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND;
        if (known && c.session().isPersistent()) {
            // PUBCOMP once the receipt is gone from the store: a receipt left behind by a node that died after its
            // PUBCOMP would make the next message with this id look like a re-send, and not be delivered
            java.util.concurrent.CompletableFuture<Boolean> released = c.broker().stores().inflight()
                    .release(c.session().key(), packetId).toCompletableFuture();
            if (!released.isDone()) {
                released.whenCompleteAsync((v, e) -> {
                    c.send(Packets.pubcomp(packetId, code));
                    c.channel().flush();
                }, c.channel().eventLoop());
                return;
            }
        }
        c.send(Packets.pubcomp(packetId, code));
    }
}
