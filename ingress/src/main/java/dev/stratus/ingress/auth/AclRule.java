package dev.stratus.ingress.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * One authorization rule: {@code allow|deny publish|subscribe|all <filter> [client=<id>] [user=<name>]}.
 * The filter may use {@code %c} (client id) and {@code %u} (user name).
 */
public record AclRule(boolean allow, Set<Action> actions, String filter, String clientId, String username) {

    /** Parses one rule; throws IllegalArgumentException with the offending text when it is not well formed. */
    public static AclRule parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length < 3) {
            throw new IllegalArgumentException("ACL rule needs '<allow|deny> <publish|subscribe|all> <filter>': " + text);
        }
        boolean allow = switch (parts[0].toLowerCase(Locale.ROOT)) {
            case "allow" -> true;
            case "deny" -> false;
            default -> throw new IllegalArgumentException("ACL rule must start with allow or deny: " + text);
        };
        Set<Action> actions = switch (parts[1].toLowerCase(Locale.ROOT)) {
            case "publish" -> EnumSet.of(Action.PUBLISH);
            case "subscribe" -> EnumSet.of(Action.SUBSCRIBE);
            case "all" -> EnumSet.allOf(Action.class);
            default -> throw new IllegalArgumentException("ACL action must be publish, subscribe or all: " + text);
        };
        String client = null;
        String user = null;
        for (int i = 3; i < parts.length; i++) {
            if (parts[i].startsWith("client=")) {
                client = parts[i].substring("client=".length());
            } else if (parts[i].startsWith("user=")) {
                user = parts[i].substring("user=".length());
            } else {
                throw new IllegalArgumentException("unknown ACL qualifier '" + parts[i] + "' in: " + text);
            }
        }
        return new AclRule(allow, Set.copyOf(actions), parts[2], client, user);
    }

    boolean appliesTo(Action action, String clientIdValue, String usernameValue) {
        return actions.contains(action)
                && (clientId == null || clientId.equals(clientIdValue))
                && (username == null || username.equals(usernameValue));
    }

    String filterFor(String clientIdValue, String usernameValue) {
        String f = filter;
        if (f.indexOf('%') < 0) {
            return f;
        }
        // a client id or user name with '+' or '#' would widen an allow rule's own branch to everyone's
        // (client "+" and "allow subscribe %c/#"): such an allow rule does not apply; a deny rule only gets wider
        if (allow && f.contains("%c") && hasWildcard(clientIdValue)) {
            return null;
        }
        f = f.replace("%c", clientIdValue);
        // a rule about %u never applies to a client without a user name
        if (f.contains("%u") && (usernameValue == null || allow && hasWildcard(usernameValue))) {
            return null;
        }
        return usernameValue == null ? f : f.replace("%u", usernameValue);
    }

    private static boolean hasWildcard(String value) {
        return value.indexOf('+') >= 0 || value.indexOf('#') >= 0;
    }
}
