package dev.stratus.ingress.broker;

import dev.stratus.state.model.StoredMessage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A message on its way to subscribers. A payload larger than the copy threshold is copied once, at routing, into
 * direct memory that every subscriber's socket writes from; a smaller one is copied into each subscriber's
 * outbound buffer. Copying was faster up to 64 KB in the fan-out benchmark; above that both cost the same CPU
 * (the kernel's copy dominates) and sharing keeps one copy in memory instead of one per subscriber
 * (docs/benchmarks.md). The topic is encoded to UTF-8 once, at routing, not once per subscriber.
 *
 * @param message          the message as delivered (QoS and RETAIN already set for the subscriber)
 * @param sharedPayload    read-only direct copy of the payload, or null when the payload is small
 * @param topicUtf8        the topic name encoded as UTF-8 (never modified), or null to encode it when writing
 * @param subscriptionIds  the MQTT 5 Subscription Identifiers of the receiver's matching subscriptions, or null
 * @param group            the shared subscription group it was sent to one member of, or null: if that member
 *                         leaves before it has the message, another member gets it
 * @param ticket           in cluster mode, for a persistent session: its sequence number in the session's Redis
 *                         queue, where it was written before it was offered (write-ahead); null otherwise
 * @param deliveryId       in cluster mode, for a QoS 2 message: its id cluster-wide, by which a persistent session
 *                         takes it once even when it is delivered again after a node died; null otherwise
 */
public record RoutedMessage(StoredMessage message, ByteBuffer sharedPayload, byte[] topicUtf8, int[] subscriptionIds,
                            SharedGroup group, java.util.concurrent.CompletableFuture<Long> ticket,
                            String deliveryId) {

    public RoutedMessage(StoredMessage message, ByteBuffer sharedPayload, byte[] topicUtf8, int[] subscriptionIds,
                         SharedGroup group, java.util.concurrent.CompletableFuture<Long> ticket) {
        this(message, sharedPayload, topicUtf8, subscriptionIds, group, ticket, null);
    }

    public RoutedMessage(StoredMessage message, ByteBuffer sharedPayload) {
        this(message, sharedPayload, null, null, null, null);
    }

    public RoutedMessage(StoredMessage message, ByteBuffer sharedPayload, byte[] topicUtf8, int[] subscriptionIds) {
        this(message, sharedPayload, topicUtf8, subscriptionIds, null, null);
    }

    public RoutedMessage(StoredMessage message, ByteBuffer sharedPayload, byte[] topicUtf8, int[] subscriptionIds,
                         SharedGroup group) {
        this(message, sharedPayload, topicUtf8, subscriptionIds, group, null);
    }

    public RoutedMessage withTicket(java.util.concurrent.CompletableFuture<Long> queueTicket) {
        return new RoutedMessage(message, sharedPayload, topicUtf8, subscriptionIds, group, queueTicket, deliveryId);
    }

    public RoutedMessage withDeliveryId(String id) {
        return new RoutedMessage(message, sharedPayload, topicUtf8, subscriptionIds, group, ticket, id);
    }

    public static RoutedMessage of(StoredMessage message, int copyThreshold) {
        byte[] topic = message.topic().getBytes(StandardCharsets.UTF_8);
        byte[] payload = message.payload();
        if (payload.length <= copyThreshold) {
            return new RoutedMessage(message, null, topic, null);
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(payload.length);
        direct.put(payload).flip();
        // garbage collected, not reference counted: a message queued or dropped anywhere cannot leak it
        return new RoutedMessage(message, direct.asReadOnlyBuffer(), topic, null);
    }

    public RoutedMessage withQos(int qos) {
        return qos == message.qos() ? this
                : new RoutedMessage(message.withQos(qos), sharedPayload, topicUtf8, subscriptionIds, group, ticket,
                        deliveryId);
    }

    public RoutedMessage withRetain(boolean retain) {
        return retain == message.retain() ? this
                : new RoutedMessage(message.withRetain(retain), sharedPayload, topicUtf8, subscriptionIds, group,
                        ticket, deliveryId);
    }

    public RoutedMessage withSubscriptionIds(int[] ids) {
        return new RoutedMessage(message, sharedPayload, topicUtf8, ids, group, ticket, deliveryId);
    }

    public RoutedMessage withGroup(SharedGroup sharedGroup) {
        return new RoutedMessage(message, sharedPayload, topicUtf8, subscriptionIds, sharedGroup, ticket,
                deliveryId);
    }
}
