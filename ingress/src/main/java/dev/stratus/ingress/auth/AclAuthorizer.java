package dev.stratus.ingress.auth;

import dev.stratus.router.topic.TopicFilter;

import java.util.List;

/**
 * Embedded authorization from an ordered list of {@link AclRule}s; the first rule that applies decides.
 * A publish is matched by topic name. A subscription is allowed by a rule whose filter covers it entirely
 * (every topic it can match is matched by the rule), and denied by a rule whose filter overlaps it.
 * <p>
 * {@code $SYS} topics are only for clients a rule explicitly allows: a subscription to a filter starting with
 * {@code $SYS} that no rule decides is refused whatever the default. (Filters starting with a wildcard never
 * match them [MQTT-4.7.2-1], so an {@code allow subscribe #} does not open them either.)
 */
public final class AclAuthorizer implements Authorizer {

    private final List<AclRule> rules;
    private final boolean defaultAllow;

    public AclAuthorizer(List<AclRule> rules, boolean defaultAllow) {
        this.rules = List.copyOf(rules);
        this.defaultAllow = defaultAllow;
    }

    public static Authorizer fromConfig(List<String> ruleTexts, boolean defaultAllow) {
        // not ALLOW_ALL even without rules: $SYS subscriptions need a rule that allows them
        return new AclAuthorizer(ruleTexts.stream().map(AclRule::parse).toList(), defaultAllow);
    }

    @Override
    public boolean canPublish(String clientId, String username, String topic) {
        for (AclRule rule : rules) {
            if (!rule.appliesTo(Action.PUBLISH, clientId, username)) {
                continue;
            }
            String f = rule.filterFor(clientId, username);
            if (f != null && TopicFilter.matches(f, topic)) {
                return rule.allow();
            }
        }
        return defaultAllow;
    }

    @Override
    public boolean canSubscribe(String clientId, String username, String filter) {
        for (AclRule rule : rules) {
            if (!rule.appliesTo(Action.SUBSCRIBE, clientId, username)) {
                continue;
            }
            String f = rule.filterFor(clientId, username);
            if (f == null) {
                continue;
            }
            if (rule.allow() ? FilterRelations.covers(f, filter) : FilterRelations.overlaps(f, filter)) {
                return rule.allow();
            }
        }
        return defaultAllow && !isSysFilter(filter);
    }

    /** A filter that can match {@code $SYS} topics: one starting with {@code $SYS} (as clients may not publish). */
    static boolean isSysFilter(String filter) {
        return filter.startsWith("$SYS");
    }
}
