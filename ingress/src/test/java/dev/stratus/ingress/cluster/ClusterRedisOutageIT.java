package dev.stratus.ingress.cluster;

import dev.stratus.ingress.support.RawClients;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis stopped and started again (empty, as after a crash without persistence) while clients are connected:
 * the nodes keep serving local traffic, report not ready, refuse what needs Redis with a reason code, and recover
 * by themselves: routes registered again, replicas reloaded, cross-node traffic flowing again.
 */
class ClusterRedisOutageIT {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private final RawClients clients = new RawClients();
    private TestCluster cluster;

    @AfterEach
    void stop() {
        clients.close();
        if (cluster != null) {
            cluster.close();
        }
    }

    private RawMqttClient connect5(int node, String id) {
        return clients.connected(cluster.tcpPort(node), RawClients.connect5(id));
    }

    private static void subscribe(RawMqttClient c, String filter, int qos) {
        c.send(RawMqttClient.subscribe5(1, props(), filter, qos));
        c.readUntil(RawMqttClient.SUBACK, PROMPTLY);
    }

    private void awaitRoute(int from, int to, String topic) {
        String target = cluster.node(to).cluster().nodeId();
        await("route of node " + to + " known to node " + from).atMost(Duration.ofSeconds(10))
                .until(() -> cluster.node(from).cluster().remoteNodesFor(topic).contains(target));
    }

    @Test
    @DisplayName("Redis down: local traffic flows, nodes are not ready, cross-node QoS 1 is refused with 0x80; "
            + "Redis back: ready again and cross-node traffic flows without a restart")
    void nodesSurviveRedisOutage() {
        cluster = TestCluster.start(2);
        RawMqttClient localSub = connect5(0, "local-sub");
        subscribe(localSub, "local/t", 1);
        RawMqttClient remoteSub = connect5(1, "remote-sub");
        subscribe(remoteSub, "remote/t", 1);
        awaitRoute(0, 1, "remote/t");
        RawMqttClient pub = connect5(0, "pub");

        cluster.redis().stop();
        await("both nodes report not ready").atMost(Duration.ofSeconds(5))
                .until(() -> !cluster.node(0).cluster().isReady() && !cluster.node(1).cluster().isReady());

        pub.send(publish5("local/t", utf8("still local"), 1, false, 1, props()));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isZero();
        Packet local = localSub.expect(PUBLISH, PROMPTLY);
        assertThat(new String(local.payload5(), StandardCharsets.UTF_8)).isEqualTo("still local");
        localSub.send(RawMqttClient.puback(local.packetId()));

        pub.send(publish5("remote/t", utf8("needs redis"), 1, false, 2, props()));
        assertThat(pub.expect(PUBACK, Duration.ofSeconds(10)).reasonCode())
                .as("refused with a reason code, not silently dropped").isEqualTo(0x80);

        cluster.redis().start();
        await("both nodes ready again").atMost(Duration.ofSeconds(15))
                .until(() -> cluster.node(0).cluster().isReady() && cluster.node(1).cluster().isReady());
        awaitRoute(0, 1, "remote/t");
        pub.send(publish5("remote/t", utf8("after the outage"), 1, false, 3, props()));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isZero();
        Packet got = remoteSub.expect(PUBLISH, PROMPTLY);
        assertThat(new String(got.payload5(), StandardCharsets.UTF_8)).isEqualTo("after the outage");
    }

    @Test
    @DisplayName("a node whose heartbeat stops is taken out of the route table by a survivor")
    void deadNodeRoutesRemoved() {
        cluster = TestCluster.start(2);
        RawMqttClient sub = connect5(1, "doomed-sub");
        subscribe(sub, "doomed/t", 0);
        awaitRoute(0, 1, "doomed/t");
        String dead = cluster.node(1).cluster().nodeId();
        cluster.node(1).cluster().simulateCrash();
        await("node 0 dropped the dead node's routes").atMost(Duration.ofSeconds(10))
                .until(() -> !cluster.node(0).cluster().remoteNodesFor("doomed/t").contains(dead));
    }
}
