package dev.stratus.state.redis;

import dev.stratus.state.SessionStore;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredSession;
import dev.stratus.state.model.StoredSubscription;
import dev.stratus.state.model.TenantId;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sessions in Redis: per session a {@code session} hash (expiry, disconnectedAt) and a {@code subs} hash (filter to
 * encoded subscription), both in the session's slot (see {@link RedisKeys}). Changes to one session are single
 * commands or scripts on that slot, so they are atomic.
 * <p>
 * Per tenant, the {@code sessions} sorted set lists every client id, scored by the instant its session expires
 * ({@code +inf} while connected or when it never expires): {@link #count} is {@code ZCARD} and
 * {@link #listExpired} one {@code ZRANGEBYSCORE}. It lives in the tenant's slot, not the session's, so it is
 * written after the session write succeeded (never listing a session before it exists). A crash in between
 * leaves it stale until the session's next write; {@link RedisSessionCascade#deleteIfExpired} checks the session
 * itself before deleting, so a stale entry never deletes a live session.
 */
final class RedisSessionStore implements SessionStore {

    /** KEYS session, subs. Returns nil for an unknown session, else {session fields, subscription fields}. */
    private static final LuaScript FIND = LuaScript.of("find", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return false end
            return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
            """);

    /** KEYS session, subs; ARGV filter, subscription. Creates the session if absent; returns 1 if it did. */
    private static final LuaScript PUT_SUBSCRIPTION = LuaScript.of("putSubscription", """
            local created = redis.call('HSETNX', KEYS[1], 'expiry', '0')
            redis.call('HSETNX', KEYS[1], 'disconnectedAt', '0')
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            return created
            """);

    /** KEYS session, subs. Returns 1 when the session existed. */
    private static final LuaScript DELETE = LuaScript.of("deleteSession", """
            local existed = redis.call('DEL', KEYS[1])
            redis.call('DEL', KEYS[2])
            return existed
            """);

    private final RedisCalls calls;
    private final RedisKeys keys;

    RedisSessionStore(RedisCalls calls, RedisKeys keys) {
        this.calls = Objects.requireNonNull(calls, "calls");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    @Override
    public CompletionStage<Optional<StoredSession>> find(SessionKey key) {
        Objects.requireNonNull(key, "key");
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.eval("sessions.find", FIND, List.of(k.session(), k.subs()), List.of())
                .thenApply(reply -> reply == null ? Optional.empty() : Optional.of(toSession(key, reply)));
    }

    @Override
    public CompletionStage<Void> upsert(SessionKey key, long expiryIntervalSeconds, long disconnectedAtMillis) {
        Objects.requireNonNull(key, "key");
        RedisKeys.SessionKeys k = keys.session(key);
        Request write = Request.cmd(Command.HSET).arg(k.session())
                .arg("expiry").arg(expiryIntervalSeconds)
                .arg("disconnectedAt").arg(disconnectedAtMillis);
        return calls.send("sessions.upsert", write)
                .thenCompose(r -> calls.send("sessions.upsert", Request.cmd(Command.ZADD)
                        .arg(keys.sessionIndex(key.tenant()))
                        .arg(expiryScore(expiryIntervalSeconds, disconnectedAtMillis))
                        .arg(key.clientId())))
                .thenApply(r -> null);
    }

    @Override
    public CompletionStage<Void> putSubscription(SessionKey key, StoredSubscription subscription) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(subscription, "subscription");
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.eval("sessions.putSubscription", PUT_SUBSCRIPTION, List.of(k.session(), k.subs()),
                        List.of(subscription.filter(), ValueCodec.encode(subscription)))
                .thenCompose(created -> Responses.isOne(created)
                        // a new session: connected-like, no expiry instant yet; NX keeps one a racing upsert set
                        ? calls.send("sessions.putSubscription", Request.cmd(Command.ZADD)
                                .arg(keys.sessionIndex(key.tenant())).arg("NX").arg("+inf").arg(key.clientId()))
                        : CompletableFuture.completedFuture(null))
                .thenApply(r -> null);
    }

    @Override
    public CompletionStage<Boolean> removeSubscription(SessionKey key, String filter) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(filter, "filter");
        return calls.send("sessions.removeSubscription",
                        Request.cmd(Command.HDEL).arg(keys.session(key).subs()).arg(filter))
                .thenApply(Responses::isOne);
    }

    @Override
    public CompletionStage<Boolean> delete(SessionKey key) {
        Objects.requireNonNull(key, "key");
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.eval("sessions.delete", DELETE, List.of(k.session(), k.subs()), List.of())
                .thenCompose(existed -> removeFromIndex("sessions.delete", key)
                        .thenApply(r -> Responses.isOne(existed)));
    }

    @Override
    public CompletionStage<Long> count(TenantId tenant) {
        Objects.requireNonNull(tenant, "tenant");
        return calls.send("sessions.count", Request.cmd(Command.ZCARD).arg(keys.sessionIndex(tenant)))
                .thenApply(Responses::longValue);
    }

    @Override
    public CompletionStage<List<SessionKey>> listExpired(TenantId tenant, long nowMillis, int max) {
        Objects.requireNonNull(tenant, "tenant");
        if (max <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        Request request = Request.cmd(Command.ZRANGEBYSCORE).arg(keys.sessionIndex(tenant))
                .arg("-inf").arg(nowMillis).arg("LIMIT").arg(0).arg(max);
        return calls.send("sessions.listExpired", request)
                .thenApply(reply -> Responses.elements(reply).stream()
                        .map(member -> new SessionKey(tenant, Responses.string(member)))
                        .toList());
    }

    /** Removes the session from its tenant's index (in the tenant's slot). */
    CompletionStage<Response> removeFromIndex(String operation, SessionKey key) {
        return calls.send(operation, Request.cmd(Command.ZREM).arg(keys.sessionIndex(key.tenant())).arg(key.clientId()));
    }

    /** The score of a session in the tenant index: the instant it expires, or +inf when it cannot expire now. */
    static String expiryScore(long expiryIntervalSeconds, long disconnectedAtMillis) {
        if (disconnectedAtMillis == 0 || expiryIntervalSeconds == StoredSession.NEVER_EXPIRES) {
            return "+inf";
        }
        return Long.toString(disconnectedAtMillis + expiryIntervalSeconds * 1000L);
    }

    private static StoredSession toSession(SessionKey key, Response reply) {
        Map<String, String> fields = new HashMap<>();
        List<Response> flat = Responses.elements(reply.get(0));
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(Responses.string(flat.get(i)), Responses.string(flat.get(i + 1)));
        }
        Map<String, StoredSubscription> subscriptions = new HashMap<>();
        List<Response> subs = Responses.elements(reply.get(1));
        for (int i = 0; i + 1 < subs.size(); i += 2) {
            String filter = Responses.string(subs.get(i));
            subscriptions.put(filter, ValueCodec.decodeSubscription(filter, Responses.bytes(subs.get(i + 1))));
        }
        return new StoredSession(key, parseLong(fields.get("expiry")), parseLong(fields.get("disconnectedAt")),
                subscriptions);
    }

    private static long parseLong(String value) {
        return value == null ? 0 : Long.parseLong(value);
    }
}
