package dev.stratus.ingress.protocol;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.codec.ReasonCodes;
import dev.stratus.ingress.broker.CloseReason;
import dev.stratus.ingress.session.Session;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * UNSUBSCRIBE: remove each filter (compared character by character [MQTT-3.10.4-1]) and answer UNSUBACK, also
 * when none existed [MQTT-3.10.4-5].
 */
final class UnsubscribeHandler implements PacketHandler {

    private static final Logger LOG = Logger.getLogger(UnsubscribeHandler.class);

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        MqttUnsubscribeMessage unsubscribe = (MqttUnsubscribeMessage) message;
        List<String> filters = unsubscribe.payload().topics();
        if (filters.isEmpty()) {
            c.protocolViolation("UNSUBSCRIBE without topic filters"); // [MQTT-3.10.3-2]
            return;
        }
        for (String filter : filters) {
            if (filter == null || !ConnectHandler.validIdentifierText(filter)) {
                // [MQTT-1.5.3-1] ill-formed UTF-8, [MQTT-1.5.3-2] U+0000: close before unsubscribing anything
                c.protocolViolation(ReasonCodes.MALFORMED_PACKET, "invalid topic filter in UNSUBSCRIBE");
                return;
            }
        }
        Broker broker = c.broker();
        Session session = c.session();
        List<CompletableFuture<Boolean>> writes = new ArrayList<>();
        short[] codes = new short[filters.size()];
        for (int i = 0; i < codes.length; i++) {
            String filter = filters.get(i);
            // [MQTT5-3.11.3-1] one reason code per filter: 0x00, or 0x11 when there was no such subscription
            codes[i] = (short) (broker.unsubscribe(session, filter) ? ReasonCodes.SUCCESS
                    : ReasonCodes.NO_SUBSCRIPTION_EXISTED);
            if (session.isPersistent()) {
                writes.add(broker.stores().sessions().removeSubscription(session.key(), filter).toCompletableFuture());
            }
        }
        int packetId = unsubscribe.variableHeader().messageId();
        MqttUnsubAckMessage unsuback = Packets.unsuback(packetId, codes, c.mqtt5());
        Stages.onLoop(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)), c.channel().eventLoop(),
                (v, error) -> {
            if (error != null) {
                LOG.warnf(error, "%s: could not remove subscriptions from the store; closing", c);
                c.close(CloseReason.SERVER_ERROR, "store error");
            } else if (c.state() == ConnectionState.CONNECTED) {
                c.channel().write(unsuback); // [MQTT-3.10.4-4]
            }
        });
    }
}
