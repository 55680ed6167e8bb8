package dev.stratus.ingress.protocol;

import dev.stratus.ingress.broker.CloseReason;
import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.codec.ReasonCodes;
import dev.stratus.ingress.config.Features;
import dev.stratus.router.topic.TopicName;
import dev.stratus.state.model.MessageProperties;
import dev.stratus.state.model.StoredMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Inbound PUBLISH: resolve an MQTT 5 topic alias, check what the server offers (maximum QoS, retain, Receive
 * Maximum), authorize, route, and acknowledge once routing (and any store write it caused) is done. QoS 2 is
 * exactly once: a PUBLISH whose packet id is still awaiting PUBREL is acknowledged again but not routed again
 * [MQTT-4.3.3-2]. MQTT 5 acknowledgements carry a reason code: 0x10 when no subscription matched, 0x87 when not
 * authorized, 0x99 when a payload declared as UTF-8 is not.
 */
final class PublishHandler implements PacketHandler {

    private static final Logger LOG = Logger.getLogger(PublishHandler.class);

    @Override
    public void handle(MqttConnection c, MqttMessage message) {
        MqttPublishMessage publish = (MqttPublishMessage) message;
        MqttProperties props = c.mqtt5() ? publish.variableHeader().properties() : null;
        String topic = publish.variableHeader().topicName();
        if (c.mqtt5()) {
            topic = resolveAlias(c, topic, props);
            if (topic == null) {
                return; // disconnected
            }
        }
        if (topic == null || !TopicName.isValid(topic)) {
            // [MQTT-3.3.2-2] no wildcards; [MQTT-4.7.3-1] not empty; [MQTT-1.5.3-1] well-formed UTF-8
            c.protocolViolation(ReasonCodes.TOPIC_NAME_INVALID, "invalid topic name in PUBLISH");
            return;
        }
        int qos = publish.fixedHeader().qosLevel().value();
        int packetId = publish.variableHeader().packetId();
        boolean retain = publish.fixedHeader().isRetain();
        Features features = c.broker().config().features();
        if (qos > features.maximumQos()) {
            // [MQTT5-3.2.2-11] above the Maximum QoS in CONNACK: DISCONNECT 0x9B
            c.protocolViolation(ReasonCodes.QOS_NOT_SUPPORTED, "QoS " + qos + " above the maximum QoS");
            return;
        }
        if (retain && !features.retainAvailable()) {
            // [MQTT5-3.2.2-14] RETAIN when Retain Available is 0: DISCONNECT 0x9A
            c.protocolViolation(ReasonCodes.RETAIN_NOT_SUPPORTED, "RETAIN set but retain is not available");
            return;
        }

        String again = null;
        if (qos == 2 && c.receivedQos2().contains(packetId)) {
            again = c.takeResumedDeliveryId(packetId);
            if (again == null) {
                // [MQTT-4.3.3-2] a re-sent PUBLISH before PUBREL: acknowledge, do not deliver again
                c.send(Packets.pubrec(packetId, 0, null));
                return;
            }
            // received on a node that may have died before it delivered the message everywhere: delivered again
            // under the same id, which the persistent sessions that had it recognise (cluster mode)
        }
        if (qos > 0 && c.unacknowledgedInbound() >= features.receiveMaximum()) {
            // [MQTT5-3.3.4-7] more unacknowledged QoS 1/2 PUBLISH packets than the Receive Maximum: 0x93
            c.protocolViolation(ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED, "Receive Maximum exceeded");
            return;
        }
        byte[] payload = ByteBufUtil.getBytes(publish.payload());
        StoredMessage stored;
        if (c.mqtt5()) {
            stored = message5(c, topic, payload, qos, retain, props);
            if (stored == null) {
                return; // disconnected
            }
        } else {
            stored = new StoredMessage(topic, payload, qos, retain);
        }
        c.broker().stats().messageReceived(qos, stored.payload().length);

        if (c.mqtt5() && invalidPayloadFormat(stored)) {
            // section 3.3.2.3.2: Payload Format Indicator 1 and a payload that is not UTF-8: refused with 0x99
            c.droppedPublish(DropReason.PAYLOAD_FORMAT_INVALID);
            if (qos == 0) {
                c.protocolViolation(ReasonCodes.PAYLOAD_FORMAT_INVALID, "payload is not valid UTF-8");
            } else {
                acknowledge(c, qos, packetId, ReasonCodes.PAYLOAD_FORMAT_INVALID, "payload is not valid UTF-8");
            }
            return;
        }
        if (!allowed(c, topic)) {
            // 3.1.1 has no negative acknowledgement: the message is acknowledged and dropped [MQTT-3.3.5-2];
            // MQTT 5 says so with 0x87
            c.droppedPublish(DropReason.NOT_AUTHORIZED);
            LOG.debugf("%s: PUBLISH to '%s' not authorized, dropped", c, topic);
            acknowledge(c, qos, packetId, ReasonCodes.NOT_AUTHORIZED, "not authorized");
            return;
        }
        String deliveryId = again != null ? again : c.broker().newDeliveryId(stored);
        if (qos == 2 && again == null) {
            c.receivedQos2().add(packetId);
            if (c.session().isPersistent()) {
                if (deliveryId != null) {
                    c.broker().stores().inflight().markReceived(c.session().key(), packetId, deliveryId);
                } else {
                    c.broker().stores().inflight().markReceived(c.session().key(), packetId);
                }
            }
        }
        CompletionStage<Boolean> routed = again != null ? c.broker().republish(stored, again)
                : c.broker().publish(stored, c.session(), c::pauseReadingFor, deliveryId);
        if (qos == 0) {
            return;
        }
        if (qos == 1) {
            c.qos1Received();
        }
        // acknowledge once the store has what routing wrote (at once for the memory backend)
        boolean immediate = routed.toCompletableFuture().isDone();
        Stages.onLoop(routed, c.channel().eventLoop(), (matched, error) -> {
            if (qos == 1) {
                c.qos1Acknowledged();
            }
            if (error != null) {
                CompletionStage<?> forgotten = CompletableFuture.completedFuture(null);
                if (qos == 2 && c.receivedQos2().remove(packetId) && c.session().isPersistent()) {
                    // not taken: a re-sent PUBLISH with this id must be routed again, not taken for a duplicate
                    forgotten = c.broker().stores().inflight().release(c.session().key(), packetId);
                }
                if (!c.mqtt5()) {
                    // 3.1.1 has no negative acknowledgement: closing is how the publisher learns it was not taken;
                    // closed once the store has forgotten the id, so that the reconnected client's re-send is routed
                    LOG.warnf("%s: could not store or forward a message for '%s' (%s); closing without acknowledging",
                            c, stored.topic(), error.getMessage());
                    Stages.onLoop(forgotten, c.channel().eventLoop(),
                            (v, e) -> c.close(CloseReason.SERVER_ERROR, "store error"));
                    return;
                }
                // MQTT 5: refused with a reason code, the connection goes on (e.g. Redis is unreachable for a moment;
                // local subscribers got the message)
                LOG.infof("%s: message for '%s' refused: %s", c, stored.topic(), error.getMessage());
                acknowledge(c, qos, packetId, ReasonCodes.UNSPECIFIED_ERROR, "not stored: " + rootMessage(error));
                c.channel().flush();
                return;
            }
            // section 3.4.2.1: 0x10: accepted, but no one subscribes
            acknowledge(c, qos, packetId, matched ? ReasonCodes.SUCCESS : ReasonCodes.NO_MATCHING_SUBSCRIBERS, null);
            if (!immediate) {
                c.channel().flush(); // otherwise channelReadComplete flushes
            }
        });
    }

    /**
     * The topic of an MQTT 5 PUBLISH with its Topic Alias: a topic and an alias set the alias, an empty topic uses
     * it [MQTT5-3.3.2-12]. Alias 0 or above the maximum is 0x94 [MQTT5-3.3.2-8..9]; an empty topic with an unknown
     * alias or none is a protocol error.
     *
     * @return the topic name, or null when the connection was closed
     */
    private static String resolveAlias(MqttConnection c, String topic, MqttProperties props) {
        if (!Props.has(props, MqttPropertyType.TOPIC_ALIAS)) {
            return topic;
        }
        int alias = (int) Props.unsigned(props, MqttPropertyType.TOPIC_ALIAS, 0);
        TopicAliases aliases = c.inboundAliases();
        if (!aliases.valid(alias)) {
            c.protocolViolation(ReasonCodes.TOPIC_ALIAS_INVALID, "topic alias " + alias + " out of range");
            return null;
        }
        if (topic != null && !topic.isEmpty()) {
            aliases.set(alias, topic);
            return topic;
        }
        String known = aliases.get(alias);
        if (known == null) {
            c.protocolViolation(ReasonCodes.PROTOCOL_ERROR, "topic alias " + alias + " used before it was set");
        }
        return known;
    }

    /** The message with its MQTT 5 properties; null (and disconnected) when they break a rule. */
    private static StoredMessage message5(MqttConnection c, String topic, byte[] payload, int qos, boolean retain,
                                          MqttProperties props) {
        if (Props.has(props, MqttPropertyType.SUBSCRIPTION_IDENTIFIER)) {
            // [MQTT5-3.3.4-6] only the server sends Subscription Identifiers
            c.protocolViolation("PUBLISH from a client with a Subscription Identifier");
            return null;
        }
        MessageProperties mp = Props.messageProperties(props);
        if (mp.payloadFormatIndicator() != null && mp.payloadFormatIndicator() > 1) {
            c.protocolViolation("Payload Format Indicator " + mp.payloadFormatIndicator());
            return null;
        }
        if (!Props.validText(mp)) {
            // [MQTT5-1.5.4-1] [MQTT5-3.3.2-13] ill-formed UTF-8 is a Malformed Packet, checked before the rules on
            // what the strings say
            c.protocolViolation(ReasonCodes.MALFORMED_PACKET, "a property string is not valid UTF-8");
            return null;
        }
        if (mp.responseTopic() != null && !TopicName.isValid(mp.responseTopic())) {
            // [MQTT5-3.3.2-14] the Response Topic is a topic name: no wildcards
            c.protocolViolation("invalid Response Topic");
            return null;
        }
        long expiresAt = 0;
        if (Props.has(props, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL)) {
            // [MQTT5-3.3.2-5] not delivered once the interval has passed
            expiresAt = c.broker().now()
                    + 1000L * Props.unsigned(props, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, 0);
        }
        return new StoredMessage(topic, payload, qos, retain, expiresAt, mp);
    }

    private static boolean invalidPayloadFormat(StoredMessage m) {
        Integer pfi = m.properties().payloadFormatIndicator();
        return pfi != null && pfi == 1 && !Utf8.isValid(m.payload());
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t != t.getCause()) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    /** Clients may not publish to $SYS topics; otherwise the authorizer decides. */
    private static boolean allowed(MqttConnection c, String topic) {
        if (topic.startsWith("$SYS")) {
            return false;
        }
        return c.broker().authorizer().canPublish(c.clientId(), c.username(), topic);
    }

    /** PUBACK [MQTT-4.3.2-2] or PUBREC [MQTT-4.3.3-2]; the reason code and string go to MQTT 5 clients only. */
    private static void acknowledge(MqttConnection c, int qos, int packetId, int reasonCode, String reason) {
        int code = c.mqtt5() ? reasonCode : 0;
        String text = c.mqtt5() && c.options().problemInformation()
                ? Packets.reasonIfItFits(reason, Packets.ACK_FIELDS, c.options().maximumPacketSize()) : null;
        if (qos == 1) {
            c.send(Packets.puback(packetId, code, text));
        } else if (qos == 2) {
            if (code >= 0x80 && c.receivedQos2().remove(packetId) && c.session().isPersistent()) {
                // a refused QoS 2 message ends its exchange here (section 4.3.3): no PUBREL follows
                c.broker().stores().inflight().release(c.session().key(), packetId);
            }
            c.send(Packets.pubrec(packetId, code, text));
        }
    }
}
