package dev.stratus.ingress.protocol;

/**
 * The topic aliases a client has set towards the broker on one connection: alias 1 to the
 * maximum the broker announced in CONNACK [MQTT5-3.3.2-12]. Aliases live and die with the connection [MQTT5-3.3.2-7].
 */
final class TopicAliases {

    private final String[] topics;

    TopicAliases(int maximum) {
        this.topics = new String[maximum + 1];
    }

    /** Whether {@code alias} is within 1..maximum; 0 and anything above are a Topic Alias invalid [MQTT5-3.3.2-8..9]. */
    boolean valid(int alias) {
        return alias >= 1 && alias < topics.length;
    }

    void set(int alias, String topic) {
        topics[alias] = topic;
    }

    /** @return the topic set for {@code alias}, or null */
    String get(int alias) {
        return topics[alias];
    }
}
