package dev.stratus.state.model;

import java.util.Map;
import java.util.Objects;

/**
 * A persistent session as stored.
 *
 * @param key                    tenant and client id
 * @param expiryIntervalSeconds  how long the session outlives its connection; 0xFFFFFFFFL means never expires
 * @param disconnectedAtMillis   when its last connection closed; 0 while a connection owns it
 * @param subscriptions          subscriptions by topic filter
 */
public record StoredSession(
        SessionKey key,
        long expiryIntervalSeconds,
        long disconnectedAtMillis,
        Map<String, StoredSubscription> subscriptions) {

    public static final long NEVER_EXPIRES = 0xFFFFFFFFL;

    public StoredSession {
        Objects.requireNonNull(key, "key");
        subscriptions = Map.copyOf(subscriptions);
    }

    /** True when the session has ended at {@code nowMillis}: its connection closed longer ago than its expiry. */
    public boolean isExpired(long nowMillis) {
        if (disconnectedAtMillis == 0 || expiryIntervalSeconds == NEVER_EXPIRES) {
            return false;
        }
        return nowMillis >= disconnectedAtMillis + expiryIntervalSeconds * 1000L;
    }
}
