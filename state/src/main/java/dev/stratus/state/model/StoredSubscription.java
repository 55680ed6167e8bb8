package dev.stratus.state.model;

import java.util.Objects;

/**
 * A subscription of a session, with its MQTT 5 options (defaults for MQTT 3.1.1 clients).
 *
 * @param filter             the topic filter as subscribed
 * @param qos                the granted maximum QoS
 * @param noLocal            MQTT 5 No Local
 * @param retainAsPublished  MQTT 5 Retain As Published
 * @param retainHandling     MQTT 5 Retain Handling (0, 1 or 2)
 * @param subscriptionId     MQTT 5 Subscription Identifier, 0 when absent
 */
public record StoredSubscription(
        String filter,
        int qos,
        boolean noLocal,
        boolean retainAsPublished,
        int retainHandling,
        int subscriptionId) {

    public StoredSubscription {
        Objects.requireNonNull(filter, "filter");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos " + qos);
        }
    }

    public static StoredSubscription of(String filter, int qos) {
        return new StoredSubscription(filter, qos, false, false, 0, 0);
    }
}
