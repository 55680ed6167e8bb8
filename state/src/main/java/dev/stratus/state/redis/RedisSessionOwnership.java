package dev.stratus.state.redis;

import dev.stratus.state.SessionOwnership;
import dev.stratus.state.model.SessionKey;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Session ownership on Redis: {@code <session tag>:owner} holds {@code <epoch>:<node>} and {@code :owner:epoch}
 * the last epoch, both in the session's slot, changed by one script, so claims are atomic and epochs only grow.
 */
final class RedisSessionOwnership implements SessionOwnership {

    /** KEYS owner, epoch; ARGV node. Returns {epoch, previous owner or false}. */
    private static final LuaScript CLAIM = LuaScript.of("ownerClaim", """
            local epoch = redis.call('INCR', KEYS[2])
            local previous = redis.call('GET', KEYS[1])
            redis.call('SET', KEYS[1], epoch .. ':' .. ARGV[1])
            return {epoch, previous}
            """);

    /** KEYS owner; ARGV epoch:node. Returns 1 when released. */
    private static final LuaScript RELEASE = LuaScript.of("ownerRelease", """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('DEL', KEYS[1])
              return 1
            end
            return 0
            """);

    private final RedisCalls calls;
    private final RedisKeys keys;

    private final String prefix;

    RedisSessionOwnership(RedisCalls calls, RedisKeys keys, String prefix) {
        this.calls = Objects.requireNonNull(calls, "calls");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    private String ownerKey(SessionKey key) {
        return keys.session(key).session() + ":owner";
    }

    @Override
    public CompletionStage<Claim> claim(SessionKey key, String nodeId) {
        String owner = ownerKey(key);
        // the node's set of claimed sessions lives in the node's slot: a second command (one slot per script)
        return calls.eval("ownership.claim", CLAIM, List.of(owner, owner + ":epoch"), List.of(nodeId))
                .thenApply(r -> new Claim(r.get(0).toLong(), parse(r.get(1))))
                .thenCompose(claim -> calls.send("ownership.claimed", Request.cmd(Command.SADD).arg(claimedKey(nodeId))
                        .arg(member(key))).thenApply(r -> claim));
    }

    private String claimedKey(String nodeId) {
        return prefix + ":{node:" + RedisKeys.escape(nodeId) + "}:sessions";
    }

    private static String member(SessionKey key) {
        return key.tenant().value() + '\0' + key.clientId();
    }

    @Override
    public CompletionStage<java.util.Set<SessionKey>> claimedBy(String nodeId) {
        return calls.send("ownership.claimedBy", Request.cmd(Command.SMEMBERS).arg(claimedKey(nodeId))).thenApply(r -> {
            java.util.Set<SessionKey> out = new java.util.HashSet<>();
            for (Response m : Responses.elements(r)) {
                String s = Responses.string(m);
                int nul = s.indexOf('\0');
                out.add(new SessionKey(new dev.stratus.state.model.TenantId(s.substring(0, nul)), s.substring(nul + 1)));
            }
            return out;
        });
    }

    @Override
    public CompletionStage<Void> forgetNode(String nodeId) {
        return calls.send("ownership.forgetNode", Request.cmd(Command.DEL).arg(claimedKey(nodeId))).thenApply(r -> null);
    }

    @Override
    public CompletionStage<Boolean> release(SessionKey key, String nodeId, long epoch) {
        return calls.eval("ownership.release", RELEASE, List.of(ownerKey(key)), List.of(epoch + ":" + nodeId))
                .thenApply(r -> r.toInteger() == 1);
    }

    @Override
    public CompletionStage<Optional<Owner>> owner(SessionKey key) {
        return calls.send("ownership.owner", Request.cmd(Command.GET).arg(ownerKey(key)))
                .thenApply(r -> Optional.ofNullable(parse(r)));
    }

    private static Owner parse(Response r) {
        if (r == null) {
            return null;
        }
        String s = r.toString();
        if (s == null || s.isEmpty() || "false".equals(s) || "0".equals(s)) {
            return null;
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            return null;
        }
        return new Owner(s.substring(colon + 1), Long.parseLong(s.substring(0, colon)));
    }
}
