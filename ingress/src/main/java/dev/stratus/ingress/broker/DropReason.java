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
    NO_SUBSCRIBERS
}
