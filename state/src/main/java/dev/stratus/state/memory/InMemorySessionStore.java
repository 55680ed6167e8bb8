package dev.stratus.state.memory;

import dev.stratus.state.SessionStore;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredSession;
import dev.stratus.state.model.StoredSubscription;
import dev.stratus.state.model.TenantId;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions in a map per tenant. Each session is a small mutable record that is only read or changed inside
 * {@link ConcurrentHashMap#compute} for its client id, so changes to one session are serialised and changes to
 * different sessions run in parallel. {@link #find} returns an immutable snapshot.
 */
public final class InMemorySessionStore implements SessionStore {

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final ConcurrentHashMap<TenantId, ConcurrentHashMap<String, Session>> tenants = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Optional<StoredSession>> find(SessionKey key) {
        Objects.requireNonNull(key, "key");
        ConcurrentHashMap<String, Session> sessions = tenants.get(key.tenant());
        if (sessions == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        StoredSession[] snapshot = new StoredSession[1];
        // computeIfPresent gives us the per-key lock, so the snapshot is never taken half-way through a change
        sessions.computeIfPresent(key.clientId(), (id, session) -> {
            snapshot[0] = session.snapshot(key);
            return session;
        });
        return CompletableFuture.completedFuture(Optional.ofNullable(snapshot[0]));
    }

    @Override
    public CompletionStage<Void> upsert(SessionKey key, long expiryIntervalSeconds, long disconnectedAtMillis) {
        Objects.requireNonNull(key, "key");
        sessions(key.tenant()).compute(key.clientId(), (id, session) -> {
            Session s = session == null ? new Session() : session;
            s.expiryIntervalSeconds = expiryIntervalSeconds;
            s.disconnectedAtMillis = disconnectedAtMillis;
            return s;
        });
        return DONE;
    }

    @Override
    public CompletionStage<Void> putSubscription(SessionKey key, StoredSubscription subscription) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(subscription, "subscription");
        sessions(key.tenant()).compute(key.clientId(), (id, session) -> {
            Session s = session == null ? new Session() : session;
            s.subscriptions.put(subscription.filter(), subscription);
            return s;
        });
        return DONE;
    }

    @Override
    public CompletionStage<Boolean> removeSubscription(SessionKey key, String filter) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(filter, "filter");
        ConcurrentHashMap<String, Session> sessions = tenants.get(key.tenant());
        if (sessions == null) {
            return CompletableFuture.completedFuture(false);
        }
        boolean[] removed = new boolean[1];
        sessions.computeIfPresent(key.clientId(), (id, session) -> {
            removed[0] = session.subscriptions.remove(filter) != null;
            return session;
        });
        return CompletableFuture.completedFuture(removed[0]);
    }

    @Override
    public CompletionStage<Boolean> delete(SessionKey key) {
        Objects.requireNonNull(key, "key");
        ConcurrentHashMap<String, Session> sessions = tenants.get(key.tenant());
        boolean existed = sessions != null && sessions.remove(key.clientId()) != null;
        return CompletableFuture.completedFuture(existed);
    }

    @Override
    public CompletionStage<Long> count(TenantId tenant) {
        Objects.requireNonNull(tenant, "tenant");
        ConcurrentHashMap<String, Session> sessions = tenants.get(tenant);
        return CompletableFuture.completedFuture(sessions == null ? 0L : sessions.mappingCount());
    }

    @Override
    public CompletionStage<List<SessionKey>> listExpired(TenantId tenant, long nowMillis, int max) {
        Objects.requireNonNull(tenant, "tenant");
        ConcurrentHashMap<String, Session> sessions = tenants.get(tenant);
        if (sessions == null || max <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        // a full scan of the tenant: the embedded broker has few sessions, and cleans up rarely
        List<StoredSession> expired = new ArrayList<>();
        for (String clientId : sessions.keySet()) {
            find(new SessionKey(tenant, clientId)).thenAccept(found -> found
                    .filter(session -> session.isExpired(nowMillis))
                    .ifPresent(expired::add));
        }
        return CompletableFuture.completedFuture(expired.stream()
                .sorted(Comparator.comparingLong(InMemorySessionStore::expiresAt))
                .limit(max)
                .map(StoredSession::key)
                .toList());
    }

    /**
     * Removes the session when it is expired at {@code nowMillis}, checked under the session's lock, so that a
     * concurrent {@link #upsert} (the client came back) either happens before and keeps it, or after and
     * creates a new one. @return true when it was removed
     */
    boolean deleteIfExpired(SessionKey key, long nowMillis) {
        ConcurrentHashMap<String, Session> sessions = tenants.get(key.tenant());
        if (sessions == null) {
            return false;
        }
        boolean[] removed = new boolean[1];
        sessions.computeIfPresent(key.clientId(), (id, session) -> {
            removed[0] = session.snapshot(key).isExpired(nowMillis);
            return removed[0] ? null : session;
        });
        return removed[0];
    }

    private static long expiresAt(StoredSession session) {
        return session.disconnectedAtMillis() + session.expiryIntervalSeconds() * 1000L;
    }

    private ConcurrentHashMap<String, Session> sessions(TenantId tenant) {
        // one map per tenant, never removed: tenants are few and long-lived, and removing an emptied map would
        // race with a concurrent insert into it
        return tenants.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>());
    }

    /** Mutable; guarded by the map's per-key lock. */
    private static final class Session {
        long expiryIntervalSeconds;
        long disconnectedAtMillis;
        final Map<String, StoredSubscription> subscriptions = new LinkedHashMap<>();

        StoredSession snapshot(SessionKey key) {
            return new StoredSession(key, expiryIntervalSeconds, disconnectedAtMillis, subscriptions);
        }
    }
}
