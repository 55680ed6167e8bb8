package dev.stratus.state;

import dev.stratus.state.model.InflightMessage;
import dev.stratus.state.model.SessionKey;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The QoS 1 and 2 exchanges of a session that are not complete: outbound messages awaiting PUBACK, PUBREC or
 * PUBCOMP, and inbound QoS 2 packet identifiers that were received (PUBREC sent) and not yet released by PUBREL.
 */
public interface InflightStore {

    /** Stores an outbound message; a message with the same packet id is replaced and keeps its position. */
    CompletionStage<Void> put(SessionKey key, InflightMessage message);

    /** @return true when a message with that packet id was inflight */
    CompletionStage<Boolean> remove(SessionKey key, int packetId);

    /** Outbound inflight messages in the order they were first put. */
    CompletionStage<List<InflightMessage>> list(SessionKey key);

    /** Records an inbound QoS 2 packet id as received. @return true when it was not already recorded */
    CompletionStage<Boolean> markReceived(SessionKey key, int packetId);

    /** Forgets an inbound QoS 2 packet id (PUBREL arrived). @return true when it was recorded */
    CompletionStage<Boolean> release(SessionKey key, int packetId);

    CompletionStage<Set<Integer>> received(SessionKey key);

    /**
     * Records an inbound QoS 2 packet id as received, as {@link #markReceived(SessionKey, int)}, with the message's
     * cluster-wide delivery id: when the publisher's node dies before its PUBREC, the node where the publisher sends
     * the message again finds the receipt and delivers the message again under the same id, so that sessions that
     * had it do not get it twice, and those that did not do [MQTT-4.3.3-2].
     */
    CompletionStage<Boolean> markReceived(SessionKey key, int packetId, String deliveryId);

    /** The delivery ids recorded with received inbound QoS 2 packet ids (those recorded with one). */
    CompletionStage<java.util.Map<Integer, String>> receivedDeliveryIds(SessionKey key);

    /** Removes every outbound message and inbound receipt of the session. */
    CompletionStage<Void> clear(SessionKey key);
}
