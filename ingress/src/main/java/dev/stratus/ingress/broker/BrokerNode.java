package dev.stratus.ingress.broker;

import dev.stratus.ingress.auth.AclAuthorizer;
import dev.stratus.ingress.auth.StaticAuthenticator;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.sys.SysTopicsPublisher;
import dev.stratus.ingress.transport.Listener;
import dev.stratus.ingress.transport.MqttServer;
import dev.stratus.state.StateStores;
import dev.stratus.state.memory.MemoryBackend;
import io.netty.channel.EventLoopGroup;

import java.time.Duration;

/**
 * A broker engine with its listeners: what one process (or one test) runs. Built from plain values; Quarkus
 * builds one at start-up, tests build as many as they like.
 */
public final class BrokerNode implements AutoCloseable {

    private dev.stratus.ingress.metrics.RedisCallTimers redisCallTimers;
    private final Broker broker;
    private final MqttServer server;
    private final SysTopicsPublisher sysTopics;
    private final StateStores stores;
    /** In cluster mode: the cluster membership and the Redis client; else null. */
    private dev.stratus.ingress.cluster.RedisCluster cluster;
    private io.vertx.redis.client.Redis redis;
    private boolean stopped;

    public BrokerNode(BrokerConfig config, StateStores stores, EventLoopGroup group) {
        this(config, stores, group, System::currentTimeMillis);
    }

    /** @param clock epoch milliseconds, for message expiry; tests pass one they can move forward */
    public BrokerNode(BrokerConfig config, StateStores stores, EventLoopGroup group, java.util.function.LongSupplier clock) {
        this.broker = new Broker(config, stores,
                new StaticAuthenticator(config.auth().allowAnonymous(), config.auth().users()),
                AclAuthorizer.fromConfig(config.auth().aclRules(), config.auth().aclDefaultAllow()),
                // SCRAM-SHA-256 authenticates the same static users without sending their passwords
                config.auth().users().isEmpty() ? java.util.List.of()
                        : java.util.List.of(new dev.stratus.ingress.auth.ScramSha256Authenticator(config.auth().users())),
                clock);
        this.stores = stores;
        this.server = new MqttServer(broker, group);
        this.sysTopics = new SysTopicsPublisher(broker, group.next(), config.sysInterval());
    }

    /**
     * A node of a cluster: its state in Redis ({@code cluster.redisUrl()}), routes, messages and sessions shared
     * with the other nodes of that Redis. {@code vertx} runs the Redis client.
     */
    public static BrokerNode clustered(BrokerConfig config, dev.stratus.ingress.config.ClusterConfig cluster,
                                       io.vertx.core.Vertx vertx, EventLoopGroup group) {
        io.vertx.redis.client.Redis redis = io.vertx.redis.client.Redis.createClient(vertx,
                dev.stratus.state.redis.RedisBackend.clientOptions(cluster.redisUrl()));
        dev.stratus.ingress.metrics.RedisCallTimers timers = new dev.stratus.ingress.metrics.RedisCallTimers();
        dev.stratus.state.redis.RedisBackendOptions options = dev.stratus.state.redis.RedisBackendOptions.defaults()
                .withObserver(timers);
        BrokerNode node = new BrokerNode(config, dev.stratus.state.redis.RedisBackend.create(vertx, redis, options),
                group);
        node.redis = redis;
        node.redisCallTimers = timers;
        node.cluster = new dev.stratus.ingress.cluster.RedisCluster(node.broker, cluster, vertx, redis,
                dev.stratus.state.redis.RedisBackend.createRouteStore(vertx, redis, options),
                dev.stratus.state.redis.RedisBackend.createNodeRegistry(vertx, redis, options),
                dev.stratus.state.redis.RedisBackend.createSessionOwnership(vertx, redis, options),
                dev.stratus.state.redis.RedisBackend.createNodeWills(vertx, redis, options),
                options.keyPrefix());
        node.broker.joinCluster(node.cluster);
        node.broker.enableWriteAhead();
        return node;
    }

    /** The latency of this node's Redis calls (cluster mode), or null for an embedded node. */
    public dev.stratus.ingress.metrics.RedisCallTimers redisCallTimers() {
        return redisCallTimers;
    }

    /** The cluster membership, or null for an embedded node. */
    public dev.stratus.ingress.cluster.RedisCluster cluster() {
        return cluster;
    }

    /** An embedded node: in-memory state. */
    public static BrokerNode embedded(BrokerConfig config, EventLoopGroup group) {
        return new BrokerNode(config, MemoryBackend.create(), group);
    }

    public BrokerNode start() {
        if (cluster != null) {
            try {
                cluster.start().toCompletableFuture().get(15, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("could not join the cluster at start-up (is Redis reachable?)", e);
            }
        }
        server.start();
        sysTopics.start();
        return this;
    }

    public Broker broker() {
        return broker;
    }

    public int port(Listener listener) {
        return server.port(listener);
    }

    public int openConnections() {
        return server.openConnections();
    }

    public synchronized void stop(Duration grace) {
        if (stopped) {
            return;
        }
        stopped = true;
        sysTopics.stop();
        server.stop(grace);
        if (cluster != null) {
            cluster.close();
            stores.close();
            redis.close();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
