package dev.stratus.router.topic;

/**
 * An MQTT 5 shared subscription filter, {@code $share/{ShareName}/{filter}} (section 4.8.2): the subscribers of a
 * share name and filter form a group, and each matching message goes to one member of the group.
 *
 * @param shareName the group name: at least one character, no '/', '+' or '#' [MQTT5-4.8.2-1] [MQTT5-4.8.2-2]
 * @param filter    the topic filter the group subscribes to, after the share name
 */
public record SharedSubscription(String shareName, String filter) {

    public static final String PREFIX = "$share/";

    /** Whether the subscription filter uses the shared form (it may still be invalid). */
    public static boolean isShared(String subscriptionFilter) {
        return subscriptionFilter.startsWith(PREFIX);
    }

    /**
     * Parses {@code $share/{ShareName}/{filter}}.
     *
     * @return the shared subscription, or null when the filter is not a valid shared subscription
     */
    public static SharedSubscription parse(String subscriptionFilter) {
        if (!isShared(subscriptionFilter)) {
            return null;
        }
        int slash = subscriptionFilter.indexOf('/', PREFIX.length());
        if (slash < 0) {
            return null; // no filter after the share name
        }
        String shareName = subscriptionFilter.substring(PREFIX.length(), slash);
        if (shareName.isEmpty() || shareName.indexOf('+') >= 0 || shareName.indexOf('#') >= 0) {
            return null;
        }
        String filter = subscriptionFilter.substring(slash + 1);
        if (!TopicFilter.isValid(filter)) {
            return null;
        }
        return new SharedSubscription(shareName, filter);
    }
}
