package dev.stratus.ingress.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The topic aliases the broker uses towards one MQTT 5 client, within the Topic Alias Maximum the client gave
 * in CONNECT [MQTT5-3.1.2-26] and the broker's own limit. The first topics sent get an alias each until the
 * aliases run out; later topics go without (a simple policy that needs no eviction and suits devices that
 * publish to a fixed set of topics) [MQTT5-3.3.2-11]. Aliases live and die with the connection [MQTT5-3.3.2-7].
 */
final class OutboundAliases {

    private final int maximum;
    private final Map<String, Integer> byTopic = new HashMap<>();

    OutboundAliases(int maximum) {
        this.maximum = maximum;
    }

    /**
     * The alias to send with {@code topic}: positive when the alias is already known to the client (the topic
     * can be left out), negative for a new alias sent together with the topic, 0 for none.
     */
    int aliasFor(String topic) {
        Integer known = byTopic.get(topic);
        if (known != null) {
            return known;
        }
        if (byTopic.size() >= maximum) {
            return 0;
        }
        int alias = byTopic.size() + 1;
        byTopic.put(topic, alias);
        return -alias;
    }
}
