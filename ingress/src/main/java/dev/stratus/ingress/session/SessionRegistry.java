package dev.stratus.ingress.session;

import dev.stratus.state.model.SessionKey;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions of this node by key. Claiming and removing are atomic per key, so that of two connections with
 * the same client id exactly one owns the session and the other learns whom to take it over from
 * [MQTT-3.1.4-2].
 */
public final class SessionRegistry {

    private final ConcurrentHashMap<SessionKey, Session> sessions = new ConcurrentHashMap<>();

    /** The result of a claim: the session, the previous owner to disconnect (or null), and whether it is new. */
    public record Claim(Session session, Object previousOwner, boolean created) {
    }

    public Claim claim(SessionKey key, Object owner) {
        Object[] previous = new Object[1];
        boolean[] created = new boolean[1];
        Session session = sessions.compute(key, (k, existing) -> {
            Session s = existing;
            if (s == null) {
                s = new Session(k);
                created[0] = true;
            }
            previous[0] = s.claim(owner);
            return s;
        });
        return new Claim(session, previous[0], created[0]);
    }

    /** Removes the session if {@code owner} still owns it. @return true when removed */
    public boolean removeIfOwnedBy(Session session, Object owner) {
        boolean[] removed = new boolean[1];
        sessions.computeIfPresent(session.key(), (k, s) -> {
            if (s == session && s.isOwnedBy(owner)) {
                removed[0] = true;
                return null;
            }
            return s;
        });
        return removed[0];
    }

    public Session get(SessionKey key) {
        return sessions.get(key);
    }

    public int size() {
        return sessions.size();
    }

    public Collection<Session> all() {
        return sessions.values();
    }
}
