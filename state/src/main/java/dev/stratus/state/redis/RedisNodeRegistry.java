package dev.stratus.state.redis;

import dev.stratus.state.NodeRegistry;
import dev.stratus.state.RouteStore;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The node registry in one slot ({@code {nodes}}): the {@code registry} sorted set of node ids scored by their
 * heartbeat deadline, and one {@code cleanup:<node>} string per claimed dead node, holding the claimant, set with
 * {@code SET NX PX lease} so that exactly one node holds it at a time and it lapses if that node dies too.
 * <p>
 * Every operation is a script that reads the Redis server's clock ({@code TIME}), so deadlines and leases do not
 * depend on the nodes' clocks agreeing. Claiming checks, in the same script, that the node is still expired, and
 * forgetting checks that the caller holds the claim and the node is still expired: a node that came back in
 * between is never removed.
 */
final class RedisNodeRegistry implements NodeRegistry {

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    /** KEYS registry; ARGV node, ttl ms. Returns 1 when the node was live. */
    private static final LuaScript HEARTBEAT = LuaScript.of("nodeHeartbeat", NOW + """
            local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            if deadline and tonumber(deadline) > now then return 1 end
            return 0
            """);

    /** KEYS registry; ARGV 'live' or 'expired'. */
    private static final LuaScript LIST = LuaScript.of("nodeList", NOW + """
            if ARGV[1] == 'live' then
              return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%d', now), '+inf')
            end
            return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
            """);

    /** KEYS registry, claim; ARGV dead node, claimant, lease ms. Returns 1 when the claimant holds the claim. */
    private static final LuaScript CLAIM = LuaScript.of("nodeClaim", NOW + """
            local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not deadline or tonumber(deadline) > now then return 0 end
            if redis.call('GET', KEYS[2]) == ARGV[2] then
              redis.call('PEXPIRE', KEYS[2], ARGV[3])
              return 1
            end
            if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
            return 0
            """);

    /** KEYS registry, claim; ARGV dead node, claimant. Returns 1 when the node was removed. */
    private static final LuaScript FORGET = LuaScript.of("nodeForget", NOW + """
            if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
            redis.call('DEL', KEYS[2])
            local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if deadline and tonumber(deadline) <= now then
              redis.call('ZREM', KEYS[1], ARGV[1])
              return 1
            end
            return 0
            """);

    private final RedisCalls calls;
    private final RedisKeys keys;

    RedisNodeRegistry(RedisCalls calls, RedisKeys keys) {
        this.calls = Objects.requireNonNull(calls, "calls");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    @Override
    public CompletionStage<Boolean> heartbeat(String nodeId, Duration ttl) {
        RouteStore.checkNodeId(nodeId);
        return calls.eval("nodes.heartbeat", HEARTBEAT, List.of(keys.nodes()), List.of(nodeId, ttl.toMillis()))
                .thenApply(Responses::isOne);
    }

    @Override
    public CompletionStage<Boolean> deregister(String nodeId) {
        Objects.requireNonNull(nodeId, "nodeId");
        return calls.send("nodes.deregister", Request.cmd(Command.ZREM).arg(keys.nodes()).arg(nodeId))
                .thenApply(Responses::isOne);
    }

    @Override
    public CompletionStage<Set<String>> liveNodes() {
        return list("nodes.live", "live");
    }

    @Override
    public CompletionStage<Set<String>> expiredNodes() {
        return list("nodes.expired", "expired");
    }

    @Override
    public CompletionStage<Boolean> claimCleanup(String deadNodeId, String claimantNodeId, Duration lease) {
        Objects.requireNonNull(deadNodeId, "deadNodeId");
        RouteStore.checkNodeId(claimantNodeId);
        return calls.eval("nodes.claimCleanup", CLAIM, List.of(keys.nodes(), keys.nodeCleanupClaim(deadNodeId)),
                        List.of(deadNodeId, claimantNodeId, Math.max(1, lease.toMillis())))
                .thenApply(Responses::isOne);
    }

    @Override
    public CompletionStage<Boolean> forget(String deadNodeId, String claimantNodeId) {
        Objects.requireNonNull(deadNodeId, "deadNodeId");
        Objects.requireNonNull(claimantNodeId, "claimantNodeId");
        return calls.eval("nodes.forget", FORGET, List.of(keys.nodes(), keys.nodeCleanupClaim(deadNodeId)),
                        List.of(deadNodeId, claimantNodeId))
                .thenApply(Responses::isOne);
    }

    private CompletionStage<Set<String>> list(String operation, String which) {
        return calls.eval(operation, LIST, List.of(keys.nodes()), List.of(which))
                .thenApply(reply -> {
                    Set<String> nodes = new HashSet<>();
                    for (Response node : Responses.elements(reply)) {
                        nodes.add(Responses.string(node));
                    }
                    return Set.copyOf(nodes);
                });
    }
}
