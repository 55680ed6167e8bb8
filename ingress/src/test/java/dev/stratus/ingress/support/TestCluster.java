package dev.stratus.ingress.support;

import dev.stratus.ingress.broker.BrokerNode;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.config.ClusterConfig;
import dev.stratus.ingress.transport.Listener;
import dev.stratus.state.redis.RedisServerProcess;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Several broker nodes in one JVM sharing one real {@code redis-server} that the test starts on a free port
 * (the one on the PATH, else the embedded-redis binary): a cluster for multi-node tests. Nodes heartbeat every
 * 200 ms with a TTL of 1 s, so that a dead node is noticed quickly.
 */
public final class TestCluster implements AutoCloseable {

    private final RedisServerProcess redis;
    private final BrokerConfig config;
    private final List<Node> nodes = new ArrayList<>();

    /** Each node has its own Vert.x (two event loops), as a process would: broker and Redis client run on it. */
    private record Node(BrokerNode node, Vertx vertx) {
    }

    private TestCluster(BrokerConfig config) {
        this.config = config;
        this.redis = RedisServerProcess.create().start();
    }

    public static TestCluster start(int size) {
        return start(size, BrokerConfig.forTests());
    }

    public static TestCluster start(int size, BrokerConfig config) {
        TestCluster cluster = new TestCluster(config);
        for (int i = 0; i < size; i++) {
            cluster.addNode();
        }
        return cluster;
    }

    /** Starts one more node; returns its index. */
    public int addNode() {
        int index = nodes.size();
        Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(2));
        ClusterConfig cluster = ClusterConfig.of("redis://127.0.0.1:" + redis.port())
                .withNodeId("node-" + index + "-" + Long.toHexString(System.nanoTime()))
                .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(1));
        nodes.add(new Node(BrokerNode.clustered(config, cluster, vertx, vertx.nettyEventLoopGroup()).start(), vertx));
        return index;
    }

    public BrokerNode node(int i) {
        return nodes.get(i).node();
    }

    public int tcpPort(int i) {
        return node(i).port(Listener.TCP);
    }

    public String tcpUri(int i) {
        return "tcp://127.0.0.1:" + tcpPort(i);
    }

    public RedisServerProcess redis() {
        return redis;
    }

    /** Stops node {@code i} gracefully (it leaves the cluster). */
    public void stopNode(int i) {
        Node n = nodes.get(i);
        n.node().stop(Duration.ofSeconds(2));
        n.vertx().close().toCompletionStage().toCompletableFuture().join();
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            try {
                n.node().stop(Duration.ofSeconds(2));
            } catch (RuntimeException ignored) {
                // stopped already
            }
            n.vertx().close().toCompletionStage().toCompletableFuture().join();
        }
        redis.close();
    }
}
