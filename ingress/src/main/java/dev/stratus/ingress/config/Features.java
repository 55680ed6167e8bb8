package dev.stratus.ingress.config;

/**
 * What the server offers MQTT 5 clients, announced in CONNACK and enforced on every packet. MQTT 3.1.1 clients
 * are held to the same switches where 3.1.1 can express them (a refused subscription is SUBACK 0x80).
 *
 * @param maximumQos               highest QoS accepted from publishers and granted to subscribers (0, 1 or 2)
 * @param retainAvailable          whether retained messages are supported
 * @param wildcardSubscriptions    whether topic filters may hold '+' and '#'
 * @param subscriptionIdentifiers  whether SUBSCRIBE may carry a Subscription Identifier
 * @param sharedSubscriptions      whether {@code $share/{group}/{filter}} subscriptions are supported
 * @param topicAliasMaximum        topic aliases a client may use towards the broker, and the most the broker uses
 *                                 towards a client (within that client's own maximum); 0 switches them off
 * @param receiveMaximum           QoS 1/2 PUBLISH packets a client may have unacknowledged towards the broker
 * @param maxSessionExpirySeconds  longest session expiry granted; {@code 0xFFFFFFFF} allows sessions that never end
 */
public record Features(
        int maximumQos,
        boolean retainAvailable,
        boolean wildcardSubscriptions,
        boolean subscriptionIdentifiers,
        boolean sharedSubscriptions,
        int topicAliasMaximum,
        int receiveMaximum,
        long maxSessionExpirySeconds) {

    public static final long NEVER_EXPIRES = 0xFFFFFFFFL;
    public static final int DEFAULT_TOPIC_ALIAS_MAXIMUM = 64;
    public static final int DEFAULT_RECEIVE_MAXIMUM = 1024;

    public Features {
        if (maximumQos < 0 || maximumQos > 2 || topicAliasMaximum < 0 || topicAliasMaximum > 65535
                || receiveMaximum < 1 || receiveMaximum > 65535
                || maxSessionExpirySeconds < 0 || maxSessionExpirySeconds > NEVER_EXPIRES) {
            throw new IllegalArgumentException("invalid features " + this);
        }
    }

    public static Features defaults() {
        return new Features(2, true, true, true, true, DEFAULT_TOPIC_ALIAS_MAXIMUM, DEFAULT_RECEIVE_MAXIMUM,
                NEVER_EXPIRES);
    }

    public Features withMaximumQos(int v) {
        return new Features(v, retainAvailable, wildcardSubscriptions, subscriptionIdentifiers, sharedSubscriptions,
                topicAliasMaximum, receiveMaximum, maxSessionExpirySeconds);
    }

    public Features withRetainAvailable(boolean v) {
        return new Features(maximumQos, v, wildcardSubscriptions, subscriptionIdentifiers, sharedSubscriptions,
                topicAliasMaximum, receiveMaximum, maxSessionExpirySeconds);
    }

    public Features withWildcardSubscriptions(boolean v) {
        return new Features(maximumQos, retainAvailable, v, subscriptionIdentifiers, sharedSubscriptions,
                topicAliasMaximum, receiveMaximum, maxSessionExpirySeconds);
    }

    public Features withSubscriptionIdentifiers(boolean v) {
        return new Features(maximumQos, retainAvailable, wildcardSubscriptions, v, sharedSubscriptions,
                topicAliasMaximum, receiveMaximum, maxSessionExpirySeconds);
    }

    public Features withSharedSubscriptions(boolean v) {
        return new Features(maximumQos, retainAvailable, wildcardSubscriptions, subscriptionIdentifiers, v,
                topicAliasMaximum, receiveMaximum, maxSessionExpirySeconds);
    }

    public Features withTopicAliasMaximum(int v) {
        return new Features(maximumQos, retainAvailable, wildcardSubscriptions, subscriptionIdentifiers,
                sharedSubscriptions, v, receiveMaximum, maxSessionExpirySeconds);
    }

    public Features withReceiveMaximum(int v) {
        return new Features(maximumQos, retainAvailable, wildcardSubscriptions, subscriptionIdentifiers,
                sharedSubscriptions, topicAliasMaximum, v, maxSessionExpirySeconds);
    }

    public Features withMaxSessionExpirySeconds(long v) {
        return new Features(maximumQos, retainAvailable, wildcardSubscriptions, subscriptionIdentifiers,
                sharedSubscriptions, topicAliasMaximum, receiveMaximum, v);
    }
}
