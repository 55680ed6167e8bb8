package dev.stratus.state;

import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The last retained message per topic, per tenant. */
public interface RetainedStore {

    /**
     * Stores the message as the retained message of its topic, replacing any previous one
     * [MQTT-3.3.1-5]. A message with an empty payload removes the retained message instead [MQTT-3.3.1-10].
     */
    CompletionStage<Void> put(TenantId tenant, StoredMessage message);

    /** The retained message of a topic; an expired one is not returned. */
    CompletionStage<Optional<StoredMessage>> get(TenantId tenant, String topic);

    /**
     * The retained messages whose topics match a topic filter (which may hold wildcards). A filter starting
     * with a wildcard never matches a topic starting with '$' [MQTT-4.7.2-1]. Expired messages are not returned.
     */
    CompletionStage<List<StoredMessage>> match(TenantId tenant, String filter);

    /** Retained messages of the tenant; may include expired ones that no read has removed yet. */
    CompletionStage<Long> count(TenantId tenant);
}
