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
 */
public record OutgoingPublish(StoredMessage message, int packetId, boolean dup, ByteBuffer sharedPayload,
                              byte[] topicUtf8) {

    public OutgoingPublish(StoredMessage message, int packetId, boolean dup, ByteBuffer sharedPayload) {
        this(message, packetId, dup, sharedPayload, null);
    }
}
