package dev.stratus.state.redis;

import dev.stratus.state.SessionCascade;
import dev.stratus.state.model.SessionKey;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Deletes everything a session owns with one script on the session's slot: session, subscriptions, queue and
 * its sequence, inflight messages, their order and sequence, and inbound QoS 2 receipts. Atomic: no write to the
 * session can interleave. {@link #deleteIfExpired} checks the expiry inside the same script, so a client that
 * resumed its session (an upsert with disconnectedAt 0) before the script ran keeps it.
 * <p>
 * The tenant's {@code sessions} index is in another slot; the session is removed from it afterwards (see
 * {@link RedisSessionStore}).
 */
final class RedisSessionCascade implements SessionCascade {

    /**
     * KEYS every key of the session, the session hash first; ARGV[1] empty for an unconditional delete, else the
     * current time in millis. Returns 1 when the session existed (and was expired, when ARGV[1] is a time).
     */
    private static final LuaScript DELETE = LuaScript.of("cascadeDelete", """
            if ARGV[1] ~= '' then
              local f = redis.call('HMGET', KEYS[1], 'expiry', 'disconnectedAt')
              if not f[1] or not f[2] then return 0 end
              local expiry = tonumber(f[1])
              local disconnectedAt = tonumber(f[2])
              if disconnectedAt == 0 or expiry == 4294967295 then return 0 end
              if tonumber(ARGV[1]) < disconnectedAt + expiry * 1000 then return 0 end
            end
            local existed = redis.call('EXISTS', KEYS[1])
            redis.call('DEL', unpack(KEYS))
            return existed
            """);

    private final RedisCalls calls;
    private final RedisKeys keys;
    private final RedisSessionStore sessions;

    RedisSessionCascade(RedisCalls calls, RedisKeys keys, RedisSessionStore sessions) {
        this.calls = Objects.requireNonNull(calls, "calls");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
    }

    @Override
    public CompletionStage<Boolean> delete(SessionKey key) {
        Objects.requireNonNull(key, "key");
        return run("deleteSession", key, "")
                .thenCompose(existed -> sessions.removeFromIndex("deleteSession", key).thenApply(r -> existed));
    }

    @Override
    public CompletionStage<Boolean> deleteIfExpired(SessionKey key, long nowMillis) {
        Objects.requireNonNull(key, "key");
        return run("deleteSessionIfExpired", key, Long.toString(nowMillis))
                .thenCompose(deleted -> deleted
                        ? sessions.removeFromIndex("deleteSessionIfExpired", key).thenApply(r -> true)
                        : CompletableFuture.completedFuture(false));
    }

    private CompletionStage<Boolean> run(String operation, SessionKey key, String now) {
        List<String> all = Arrays.asList(keys.session(key).all());
        return calls.eval(operation, DELETE, all, List.of(now)).thenApply(Responses::isOne);
    }
}
