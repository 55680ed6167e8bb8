package dev.stratus.ingress.broker;

/** Why a message was not delivered to a subscriber (or not accepted from a publisher). */
public enum DropReason {
    /** The session's queue was full: the oldest message made room. */
    QUEUE_FULL,
    /** The message expired before it could be delivered. */
    EXPIRED,
    /** The publisher may not publish to the topic. */
    NOT_AUTHORIZED,
    /** A QoS 0 message for a client that is offline. */
    OFFLINE_QOS0,
    /** A QoS 0 message for a client whose socket does not keep up. */
    SLOW_SUBSCRIBER,
    /** No subscription matched. */
    NO_SUBSCRIBERS,
    /** Larger than the Maximum Packet Size the receiving MQTT 5 client accepts [MQTT5-3.1.2-25]. */
    TOO_LARGE,
    /** MQTT 5 Payload Format Indicator 1 with a payload that is not UTF-8. */
    PAYLOAD_FORMAT_INVALID,
    /** Forwarded to a cluster node that was not listening (it died or lost Redis). */
    NODE_UNREACHABLE
}
