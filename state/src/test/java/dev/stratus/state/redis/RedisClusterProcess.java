package dev.stratus.state.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Cluster for tests: three master nodes (redis-server processes, as {@link RedisServerProcess} finds
 * them) on free ports, 16384 slots split between them, joined with {@code CLUSTER MEET}; no redis-cli needed.
 */
public final class RedisClusterProcess implements AutoCloseable {

    private static final int SLOTS = 16384;
    private final List<RedisServerProcess> nodes = new ArrayList<>();

    public static RedisClusterProcess start(Vertx vertx, int masters) {
        RedisClusterProcess cluster = new RedisClusterProcess();
        try {
            for (int i = 0; i < masters; i++) {
                cluster.nodes.add(RedisServerProcess.create().clusterEnabled().start());
            }
            for (int i = 0; i < masters; i++) {
                Redis one = Redis.createClient(vertx, cluster.nodes.get(i).connectionString());
                try {
                    Request slots = Request.cmd(Command.CLUSTER).arg("ADDSLOTS");
                    for (int slot = i * SLOTS / masters; slot < (i + 1) * SLOTS / masters; slot++) {
                        slots.arg(slot);
                    }
                    send(one, slots);
                    if (i > 0) {
                        send(one, Request.cmd(Command.CLUSTER).arg("MEET").arg("127.0.0.1")
                                .arg(cluster.nodes.get(0).port()));
                    }
                } finally {
                    one.close();
                }
            }
            Redis first = Redis.createClient(vertx, cluster.nodes.get(0).connectionString());
            try {
                await("Redis Cluster state ok").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> send(first, Request.cmd(Command.CLUSTER).arg("INFO")).toString()
                                .contains("cluster_state:ok"));
            } finally {
                first.close();
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static Response send(Redis redis, Request request) {
        try {
            return redis.send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Redis Cluster setup: " + e.getMessage(), e);
        }
    }

    /** Client options for the cluster (the Vert.x client in cluster mode, every node as a seed). */
    public RedisOptions clientOptions() {
        RedisOptions options = RedisBackend.clientOptions(nodes.get(0).connectionString())
                .setType(RedisClientType.CLUSTER);
        for (int i = 1; i < nodes.size(); i++) {
            options.addConnectionString(nodes.get(i).connectionString());
        }
        return options;
    }

    public List<RedisServerProcess> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void close() {
        nodes.forEach(RedisServerProcess::close);
    }
}
