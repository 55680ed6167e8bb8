package dev.stratus.ingress.auth;

import dev.stratus.router.topic.TopicFilter;

import java.util.List;

/**
 * Embedded authorization from an ordered list of {@link AclRule}s; the first rule that applies decides.
 * A publish is matched by topic name. A subscription is allowed by a rule whose filter covers it entirely
 * (every topic it can match is matched by the rule), and denied by a rule whose filter overlaps it.
 */
public final class AclAuthorizer implements Authorizer {

    private final List<AclRule> rules;
    private final boolean defaultAllow;

    public AclAuthorizer(List<AclRule> rules, boolean defaultAllow) {
        this.rules = List.copyOf(rules);
        this.defaultAllow = defaultAllow;
    }

    public static Authorizer fromConfig(List<String> ruleTexts, boolean defaultAllow) {
        if (ruleTexts.isEmpty() && defaultAllow) {
            return ALLOW_ALL;
        }
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
        return defaultAllow;
    }
}
