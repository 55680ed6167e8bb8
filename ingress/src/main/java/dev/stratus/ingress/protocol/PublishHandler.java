package dev.stratus.ingress.protocol;

import dev.stratus.ingress.broker.CloseReason;
import dev.stratus.ingress.broker.DropReason;
import dev.stratus.router.topic.TopicName;
import dev.stratus.state.model.StoredMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletionStage;

/**
 * Inbound PUBLISH: authorize, route, and acknowledge once routing (and any store write it caused) is done.
 * QoS 2 is exactly once: a PUBLISH whose packet id is still awaiting PUBREL is acknowledged again but not
 * routed again [MQTT-4.3.3-2].
 */
final class PublishHandler implements PacketHandler {

    private static final Logger LOG = Logger.getLogger(PublishHandler.class);

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        MqttPublishMessage publish = (MqttPublishMessage) message;
        String topic = publish.variableHeader().topicName();
        if (topic == null || !TopicName.isValid(topic)) {
            // [MQTT-3.3.2-2] no wildcards; [MQTT-4.7.3-1] not empty; [MQTT-1.5.3-1] well-formed UTF-8
            c.protocolViolation("invalid topic name in PUBLISH");
            return;
        }
        int qos = publish.fixedHeader().qosLevel().value();
        int packetId = publish.variableHeader().packetId();

        if (qos == 2 && c.receivedQos2().contains(packetId)) {
            // [MQTT-4.3.3-2] a re-sent PUBLISH before PUBREL: acknowledge, do not deliver again
            c.context().write(pubrec(packetId));
            return;
        }
        StoredMessage stored = new StoredMessage(topic, ByteBufUtil.getBytes(publish.payload()), qos,
                publish.fixedHeader().isRetain());
        c.broker().stats().messageReceived(qos, stored.payload().length);

        if (!allowed(c, topic)) {
            // 3.1.1 has no negative acknowledgement: the message is acknowledged and dropped [MQTT-3.3.5-2]
            c.droppedPublish(DropReason.NOT_AUTHORIZED);
            LOG.debugf("%s: PUBLISH to '%s' not authorized, dropped", c, topic);
            acknowledge(c, qos, packetId);
            return;
        }
        if (qos == 2) {
            c.receivedQos2().add(packetId);
            if (c.session().isPersistent()) {
                c.broker().stores().inflight().markReceived(c.session().key(), packetId);
            }
        }
        CompletionStage<Void> routed = c.broker().publish(stored, c::pauseReadingFor);
        if (qos == 0) {
            return;
        }
        // acknowledge once the store has what routing wrote (at once for the memory backend)
        boolean immediate = routed.toCompletableFuture().isDone();
        Stages.onLoop(routed, c.channel().eventLoop(), (v, error) -> {
            if (error != null) {
                LOG.warnf(error, "%s: could not store a message for '%s'; closing without acknowledging", c, topic);
                c.close(CloseReason.SERVER_ERROR, "store error");
                return;
            }
            acknowledge(c, qos, packetId);
            if (!immediate) {
                c.channel().flush(); // otherwise channelReadComplete flushes
            }
        });
    }

    /** Clients may not publish to $SYS topics; otherwise the authorizer decides. */
    private static boolean allowed(MqttConnection c, String topic) {
        if (topic.startsWith("$SYS")) {
            return false;
        }
        return c.broker().authorizer().canPublish(c.clientId(), c.username(), topic);
    }

    private static void acknowledge(MqttConnection c, int qos, int packetId) {
        if (qos == 1) {
            c.context().write(puback(packetId)); // [MQTT-4.3.2-2]
        } else if (qos == 2) {
            c.context().write(pubrec(packetId)); // [MQTT-4.3.3-2]
        }
    }

    static MqttPubAckMessage puback(int packetId) {
        return new MqttPubAckMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(packetId));
    }

    static MqttMessage pubrec(int packetId) {
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREC, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(packetId));
    }
}
