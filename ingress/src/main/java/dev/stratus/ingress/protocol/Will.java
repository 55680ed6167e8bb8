package dev.stratus.ingress.protocol;

import dev.stratus.state.model.StoredMessage;

/**
 * The Will Message of a connection, published when it ends without DISCONNECT [MQTT-3.1.2-8].
 *
 * @param message       the message; its expiry starts counting when it is published
 * @param delaySeconds  MQTT 5 Will Delay Interval: how long after the connection ends it is published, unless the
 *                      session is resumed first [MQTT5-3.1.3-9]; 0 for at once
 * @param expirySeconds MQTT 5 Message Expiry Interval of the will, or -1 for none
 */
record Will(StoredMessage message, long delaySeconds, long expirySeconds) {

    Will(StoredMessage message) {
        this(message, 0, -1);
    }

    /** The message as published at {@code nowMillis}: its expiry counts from then. */
    StoredMessage toPublish(long nowMillis) {
        if (expirySeconds < 0) {
            return message;
        }
        return new StoredMessage(message.topic(), message.payload(), message.qos(), message.retain(),
                nowMillis + expirySeconds * 1000L, message.properties());
    }
}
