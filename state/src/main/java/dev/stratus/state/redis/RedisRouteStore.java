package dev.stratus.state.redis;

import dev.stratus.state.RouteFeed;
import dev.stratus.state.RouteListener;
import dev.stratus.state.RouteStore;
import dev.stratus.state.model.RouteSnapshot;
import dev.stratus.state.model.TenantId;
import io.vertx.redis.client.Response;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A tenant's route table in its slot: the {@code routes} set of {@code nodeId + '\0' + filter} members and the
 * {@code routes:version} counter. Each change is one script: {@code SADD}/{@code SREM}, and only if that changed
 * the set, {@code INCR} of the version and {@code PUBLISH} of {@code "<version>:<+|->:<node>\0<filter>"} on the
 * tenant's channel, so versions and published changes correspond one to one and in order. {@link #snapshot} reads
 * set and version in one script. {@link #removeNode} walks the tenant's set in one script (O(routes of the
 * tenant); it runs only when a node died).
 * <p>
 * Feeds: see {@link RedisRouteFeeds}. On Redis Cluster, {@code PUBLISH} reaches every shard's subscribers; with
 * Redis 7 the channel (named with the tenant's hash tag) could use sharded pub/sub ({@code SPUBLISH}) instead.
 */
final class RedisRouteStore implements RouteStore {

    /** KEYS routes, version; ARGV member, channel, '+' or '-'. Returns the new version, or 0 when nothing changed. */
    private static final LuaScript CHANGE = LuaScript.of("routeChange", """
            local changed
            if ARGV[3] == '+' then changed = redis.call('SADD', KEYS[1], ARGV[1])
            else changed = redis.call('SREM', KEYS[1], ARGV[1]) end
            if changed == 0 then return 0 end
            local v = redis.call('INCR', KEYS[2])
            redis.call('PUBLISH', ARGV[2], string.format('%d', v) .. ':' .. ARGV[3] .. ':' .. ARGV[1])
            return v
            """);

    /** KEYS routes, version; ARGV node id + '\0', channel. Returns how many routes were removed. */
    private static final LuaScript REMOVE_NODE = LuaScript.of("routeRemoveNode", """
            local removed = 0
            local prefix = ARGV[1]
            for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              if string.sub(member, 1, #prefix) == prefix then
                redis.call('SREM', KEYS[1], member)
                local v = redis.call('INCR', KEYS[2])
                redis.call('PUBLISH', ARGV[2], string.format('%d', v) .. ':-:' .. member)
                removed = removed + 1
              end
            end
            return removed
            """);

    /** KEYS routes, version. Returns {version, members}. */
    private static final LuaScript SNAPSHOT = LuaScript.of("routeSnapshot", """
            return {redis.call('GET', KEYS[2]) or '0', redis.call('SMEMBERS', KEYS[1])}
            """);

    private final RedisCalls calls;
    private final RedisKeys keys;
    private final RedisRouteFeeds feeds;
    private final Runnable onClose;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** @param onClose run once by the first {@link #close()}, after the feeds stopped (e.g. closes the client) */
    RedisRouteStore(RedisCalls calls, RedisKeys keys, Runnable onClose) {
        this.calls = Objects.requireNonNull(calls, "calls");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        this.feeds = new RedisRouteFeeds(calls);
    }

    @Override
    public CompletionStage<Boolean> addRoute(TenantId tenant, String filter, String nodeId) {
        return change("routes.add", tenant, filter, nodeId, "+");
    }

    @Override
    public CompletionStage<Boolean> removeRoute(TenantId tenant, String filter, String nodeId) {
        return change("routes.remove", tenant, filter, nodeId, "-");
    }

    @Override
    public CompletionStage<Integer> removeNode(TenantId tenant, String nodeId) {
        Objects.requireNonNull(tenant, "tenant");
        RouteStore.checkNodeId(nodeId);
        return calls.eval("routes.removeNode", REMOVE_NODE, tableKeys(tenant),
                        List.of(nodeId + '\0', keys.routesChannel(tenant)))
                .thenApply(reply -> (int) Responses.longValue(reply));
    }

    @Override
    public CompletionStage<RouteSnapshot> snapshot(TenantId tenant) {
        Objects.requireNonNull(tenant, "tenant");
        return calls.eval("routes.snapshot", SNAPSHOT, tableKeys(tenant), List.of())
                .thenApply(reply -> {
                    long version = Long.parseLong(Responses.string(reply.get(0)));
                    Map<String, Set<String>> routes = new HashMap<>();
                    for (Response member : Responses.elements(reply.get(1))) {
                        String text = Responses.string(member);
                        int nul = text.indexOf('\0');
                        routes.computeIfAbsent(text.substring(nul + 1), f -> new HashSet<>())
                                .add(text.substring(0, nul));
                    }
                    return new RouteSnapshot(tenant, version, routes);
                });
    }

    @Override
    public CompletionStage<RouteFeed> watch(TenantId tenant, RouteListener listener) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(listener, "listener");
        return feeds.watch(tenant, keys.routesChannel(tenant), listener);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            feeds.close();
            calls.close();
            onClose.run();
        }
    }

    private CompletionStage<Boolean> change(String operation, TenantId tenant, String filter, String nodeId,
                                            String op) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(filter, "filter");
        RouteStore.checkNodeId(nodeId);
        return calls.eval(operation, CHANGE, tableKeys(tenant),
                        List.of(nodeId + '\0' + filter, keys.routesChannel(tenant), op))
                .thenApply(reply -> Responses.longValue(reply) != 0);
    }

    private List<String> tableKeys(TenantId tenant) {
        return List.of(keys.routes(tenant), keys.routesVersion(tenant));
    }
}
