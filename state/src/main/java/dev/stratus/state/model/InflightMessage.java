package dev.stratus.state.model;

import java.util.Objects;

/**
 * An outbound QoS 1 or 2 message sent to a client and not yet completely acknowledged.
 *
 * @param packetId  the packet identifier it was sent with
 * @param message   the message (its QoS is the delivered QoS)
 * @param released  QoS 2 only: PUBREC was received and PUBREL sent; on resume PUBREL is re-sent, not PUBLISH
 */
public record InflightMessage(int packetId, StoredMessage message, boolean released) {

    public InflightMessage {
        Objects.requireNonNull(message, "message");
        if (packetId < 1 || packetId > 65535) {
            throw new IllegalArgumentException("packetId " + packetId);
        }
    }
}
