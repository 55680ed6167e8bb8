package dev.stratus.ingress.config;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Cluster mode: the node keeps its state in Redis and shares routes, messages and sessions with the other nodes
 * of the same Redis.
 *
 * @param redisUrl           e.g. {@code redis://127.0.0.1:6379}
 * @param nodeId             this node's id, unique in the cluster (a pod name, or random)
 * @param heartbeatInterval  how often the node renews its registration
 * @param nodeTtl            how long after its last heartbeat a node counts as dead
 * @param takeoverTimeout    how long a connection waits for another node to hand its session over
 */
public record ClusterConfig(String redisUrl, String nodeId, Duration heartbeatInterval, Duration nodeTtl,
                            Duration takeoverTimeout) {

    public ClusterConfig {
        Objects.requireNonNull(redisUrl, "redisUrl");
        Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.isEmpty() || heartbeatInterval.isZero() || heartbeatInterval.isNegative()
                || nodeTtl.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("invalid cluster config " + this);
        }
    }

    /** A node with a random id, a heartbeat every second and a TTL of five. */
    public static ClusterConfig of(String redisUrl) {
        return new ClusterConfig(redisUrl, "node-" + UUID.randomUUID(), Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(3));
    }

    public ClusterConfig withNodeId(String id) {
        return new ClusterConfig(redisUrl, id, heartbeatInterval, nodeTtl, takeoverTimeout);
    }

    public ClusterConfig withHeartbeat(Duration interval, Duration ttl) {
        return new ClusterConfig(redisUrl, nodeId, interval, ttl, takeoverTimeout);
    }
}
