package dev.stratus.ingress.codec;

import dev.stratus.state.model.StoredMessage;

import java.nio.ByteBuffer;

/**
 * A PUBLISH the broker sends, handed to {@link PublishEncoder} as is: no intermediate Netty message object and
 * no payload copy before encoding.
 *
 * @param message        topic, payload, QoS and RETAIN
 * @param packetId       the packet identifier for QoS 1 and 2, else 0
 * @param dup            the DUP flag: set on a re-delivery [MQTT-3.3.1-1]
 * @param sharedPayload  direct copy of a large payload shared by all subscribers, or null
 * @param topicUtf8      the topic already encoded as UTF-8, shared by all subscribers (never modified), or null
 *                       to have the encoder encode {@code message.topic()}
 * @param v5             the MQTT 5 part for an MQTT 5 receiver, or null: a 3.1.1 receiver gets no properties
 */
public record OutgoingPublish(StoredMessage message, int packetId, boolean dup, ByteBuffer sharedPayload,
                              byte[] topicUtf8, Mqtt5Publish v5) {

    public OutgoingPublish(StoredMessage message, int packetId, boolean dup, ByteBuffer sharedPayload) {
        this(message, packetId, dup, sharedPayload, null, null);
    }

    public OutgoingPublish(StoredMessage message, int packetId, boolean dup, ByteBuffer sharedPayload,
                           byte[] topicUtf8) {
        this(message, packetId, dup, sharedPayload, topicUtf8, null);
    }

    /**
     * What an MQTT 5 PUBLISH carries besides the message's own properties.
     *
     * @param topicAlias        the topic alias to send, 0 for none
     * @param omitTopic         send an empty topic name: the client knows the alias [MQTT5-3.3.2-12]
     * @param subscriptionIds   Subscription Identifiers of the matching subscriptions, or null [MQTT5-3.3.4-3]
     * @param expirySeconds     remaining Message Expiry Interval [MQTT5-3.3.2-6], or -1 when the message has none
     */
    public record Mqtt5Publish(int topicAlias, boolean omitTopic, int[] subscriptionIds, long expirySeconds) {
        public static final Mqtt5Publish PLAIN = new Mqtt5Publish(0, false, null, -1);
    }
}
