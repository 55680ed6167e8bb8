package dev.stratus.state.redis;

import dev.stratus.state.NodeWills;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.TenantId;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Node wills on Redis: one hash per node, {@code <prefix>:{node:<id>}:wills}, field {@code tenant \0 clientId},
 * value the encoded will. A node's wills are read at once by the survivor that cleans up after it.
 */
final class RedisNodeWills implements NodeWills {

    private final RedisCalls calls;
    private final String prefix;

    RedisNodeWills(RedisCalls calls, String prefix) {
        this.calls = Objects.requireNonNull(calls, "calls");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    private String key(String nodeId) {
        return prefix + ":{node:" + RedisKeys.escape(nodeId) + "}:wills";
    }

    private static String field(SessionKey key) {
        return key.tenant().value() + '\0' + key.clientId();
    }

    @Override
    public CompletionStage<Void> put(String nodeId, SessionKey key, byte[] will) {
        return calls.send("wills.put", Request.cmd(Command.HSET).arg(key(nodeId)).arg(field(key)).arg(will))
                .thenApply(r -> null);
    }

    @Override
    public CompletionStage<Void> remove(String nodeId, SessionKey key) {
        return calls.send("wills.remove", Request.cmd(Command.HDEL).arg(key(nodeId)).arg(field(key)))
                .thenApply(r -> null);
    }

    @Override
    public CompletionStage<Map<SessionKey, byte[]>> list(String nodeId) {
        // an HGETALL inside a script answers a flat array in both RESP2 and RESP3
        return calls.send("wills.list", Request.cmd(Command.EVAL).arg("return redis.call('HGETALL', KEYS[1])")
                .arg(1).arg(key(nodeId))).thenApply(r -> {
            Map<SessionKey, byte[]> out = new HashMap<>();
            java.util.List<Response> flat = Responses.elements(r);
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                out.put(parse(flat.get(i)), Responses.bytes(flat.get(i + 1)));
            }
            return out;
        });
    }

    private static SessionKey parse(Response field) {
        return parse(new String(field.toBytes(), StandardCharsets.UTF_8));
    }

    private static SessionKey parse(String field) {
        int nul = field.indexOf('\0');
        return new SessionKey(new TenantId(field.substring(0, nul)), field.substring(nul + 1));
    }

    @Override
    public CompletionStage<Void> clear(String nodeId) {
        return calls.send("wills.clear", Request.cmd(Command.DEL).arg(key(nodeId))).thenApply(r -> null);
    }
}
