package dev.stratus.state.model;

import java.util.Objects;

/**
 * An application message as the stores keep it: immutable, framework-free. The payload array is never
 * modified after construction; callers must not modify it either.
 *
 * @param topic           the topic name it was published to
 * @param payload         the payload bytes (possibly empty, never null)
 * @param qos             0, 1 or 2
 * @param retain          the RETAIN flag as published
 * @param expiresAtMillis epoch millis after which the message must not be delivered; 0 means never
 * @param properties      MQTT 5 properties forwarded with the message
 */
public record StoredMessage(
        String topic,
        byte[] payload,
        int qos,
        boolean retain,
        long expiresAtMillis,
        MessageProperties properties) {

    public StoredMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos " + qos);
        }
        properties = properties == null ? MessageProperties.NONE : properties;
    }

    public StoredMessage(String topic, byte[] payload, int qos, boolean retain) {
        this(topic, payload, qos, retain, 0, MessageProperties.NONE);
    }

    /** Equality by content: two messages with equal payload bytes are equal (a record would compare arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof StoredMessage m && qos == m.qos && retain == m.retain && expiresAtMillis == m.expiresAtMillis
                && topic.equals(m.topic) && java.util.Arrays.equals(payload, m.payload) && properties.equals(m.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, java.util.Arrays.hashCode(payload), qos, retain, expiresAtMillis, properties);
    }

    @Override
    public String toString() {
        return "StoredMessage[topic=" + topic + ", payload=" + payload.length + " bytes, qos=" + qos + ", retain=" + retain
                + (expiresAtMillis == 0 ? "" : ", expiresAt=" + expiresAtMillis) + "]";
    }

    public boolean isExpired(long nowMillis) {
        return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
    }

    public StoredMessage withQos(int newQos) {
        return newQos == qos ? this : new StoredMessage(topic, payload, newQos, retain, expiresAtMillis, properties);
    }

    public StoredMessage withRetain(boolean newRetain) {
        return newRetain == retain ? this : new StoredMessage(topic, payload, qos, newRetain, expiresAtMillis, properties);
    }
}
