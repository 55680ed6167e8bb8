package dev.stratus.state.redis;

import dev.stratus.state.NodeRegistry;
import dev.stratus.state.RouteStore;
import dev.stratus.state.StateStores;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

import java.util.Objects;

/**
 * Creates the four stores on Redis, with plain constructors: no Quarkus container is needed. A Quarkus app
 * passes the {@link Redis} client that quarkus-redis-client manages (and {@code closeClient = false}); tests and
 * tools can build one with {@link #clientOptions}.
 * <p>
 * The key layout is in {@link RedisKeys}; what each store does atomically is on each store class. Everything
 * is asynchronous: commands go out on the client's pooled connections (pipelined when issued concurrently), and
 * no call blocks its caller.
 */
public final class RedisBackend {

    private RedisBackend() {
    }

    /**
     * @param vertx   runs the command timeouts
     * @param redis   a standalone, sentinel or cluster client; the key layout keeps each atomic change in one slot
     * @param options key prefix, timeout, clock, and whether closing the stores closes {@code redis}
     */
    public static StateStores create(Vertx vertx, Redis redis, RedisBackendOptions options) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(options, "options");
        RedisCalls calls = new RedisCalls(vertx, redis, options);
        RedisKeys keys = new RedisKeys(options.keyPrefix());
        RedisSessionStore sessions = new RedisSessionStore(calls, keys);
        return new StateStores(
                sessions,
                new RedisMessageQueueStore(calls, keys),
                new RedisInflightStore(calls, keys),
                new RedisRetainedStore(calls, keys, options.clock()),
                new RedisSessionCascade(calls, keys, sessions),
                () -> {
                    calls.close();
                    if (options.closeClient()) {
                        redis.close();
                    }
                },
                new RedisInflightStore(calls, keys)::putFromQueue);
    }

    /**
     * The cluster's route tables on Redis, with their change feeds (one pub/sub connection of {@code redis}'s pool).
     * Closing the store stops the feeds, and closes {@code redis} when {@code options.closeClient()}.
     */
    public static RouteStore createRouteStore(Vertx vertx, Redis redis, RedisBackendOptions options) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(options, "options");
        return new RedisRouteStore(new RedisCalls(vertx, redis, options),
                new RedisKeys(options.keyPrefix()), closer(redis, options));
    }

    /**
     * The cluster's node registry on Redis (deadlines and leases by the Redis server's clock). It uses
     * {@code redis} for commands only; closing it is closing {@code redis}, which its owner does.
     */
    public static NodeRegistry createNodeRegistry(Vertx vertx, Redis redis, RedisBackendOptions options) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(options, "options");
        return new RedisNodeRegistry(new RedisCalls(vertx, redis, options),
                new RedisKeys(options.keyPrefix()));
    }

    /** Session ownership with fencing epochs on Redis; uses {@code redis} for commands only. */
    public static dev.stratus.state.SessionOwnership createSessionOwnership(Vertx vertx, Redis redis,
                                                                         RedisBackendOptions options) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(options, "options");
        return new RedisSessionOwnership(new RedisCalls(vertx, redis, options),
                new RedisKeys(options.keyPrefix()), options.keyPrefix());
    }

    /** The wills of each node's connections on Redis; uses {@code redis} for commands only. */
    public static dev.stratus.state.NodeWills createNodeWills(Vertx vertx, Redis redis, RedisBackendOptions options) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(options, "options");
        return new RedisNodeWills(new RedisCalls(vertx, redis, options), options.keyPrefix());
    }

    private static Runnable closer(Redis redis, RedisBackendOptions options) {
        return () -> {
            if (options.closeClient()) {
                redis.close();
            }
        };
    }

    /**
     * Client options suited to the stores, for a connection string such as {@code redis://127.0.0.1:6379}: a
     * connect timeout (so that calls fail fast while Redis is down) and a pool and waiting queue large enough for
     * a broker's concurrent store calls.
     */
    public static RedisOptions clientOptions(String connectionString) {
        return new RedisOptions()
                .setConnectionString(connectionString)
                .setMaxPoolSize(8)
                .setMaxPoolWaiting(4096)
                .setMaxWaitingHandlers(65536)
                .setNetClientOptions(new NetClientOptions().setConnectTimeout(1000).setTcpNoDelay(true));
    }
}
