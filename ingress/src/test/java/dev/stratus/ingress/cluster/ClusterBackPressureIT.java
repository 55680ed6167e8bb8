package dev.stratus.ingress.cluster;

import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Publishers on one node faster than a subscriber on another are slowed down (the publishers' node stops reading
 * from them while the subscriber's node has not taken what was forwarded to it) instead of a node dropping QoS 0
 * messages, or Redis disconnecting the subscriber's node for a pub/sub buffer past its limit.
 */
class ClusterBackPressureIT {

    private TestCluster cluster;
    private final List<RawMqttClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        cluster = TestCluster.start(2);
    }

    @AfterEach
    void stop() {
        clients.forEach(RawMqttClient::close);
        cluster.close();
    }

    private RawMqttClient client(int node, String id) {
        RawMqttClient c = RawMqttClient.connected(cluster.tcpPort(node), connectPacket(id).keepAlive(60));
        clients.add(c);
        return c;
    }

    /** Every message of a burst written in one go, on another thread: the write blocks while the broker pauses. */
    private static CompletableFuture<Void> burst(RawMqttClient publisher, String topic, int count) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 1; i <= count; i++) {
            byte[] payload = ByteBuffer.allocate(64).putInt(i).array();
            all.writeBytes(RawMqttClient.publish(topic, payload, 0, false, false, 0));
        }
        byte[] bytes = all.toByteArray();
        return CompletableFuture.runAsync(() -> publisher.sendRaw(bytes));
    }

    @Test
    void qos0FanInAcrossNodesIsSlowedDownNotDropped() throws Exception {
        RawMqttClient subscriber = client(0, "xbp-sub");
        subscriber.subscribeAndAwait(1, "xbp/+", 0);
        String target = cluster.node(0).cluster().nodeId();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> cluster.node(1).cluster().remoteNodesFor("xbp/0").contains(target));
        int publishers = 4;
        int each = 50_000;
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            sends.add(burst(client(1, "xbp-pub-" + p), "xbp/" + p, each));
        }
        int[] last = new int[publishers];
        for (int received = 0; received < publishers * each; received++) {
            RawMqttClient.Packet packet = subscriber.readPacket(Duration.ofSeconds(20));
            assertThat(packet.type()).isEqualTo(RawMqttClient.PUBLISH);
            int from = packet.topic().charAt(packet.topic().length() - 1) - '0';
            int n = ByteBuffer.wrap(packet.payload()).getInt();
            assertThat(n).as("from publisher %d: in order, none missing", from).isEqualTo(last[from] + 1);
            last[from] = n;
        }
        for (CompletableFuture<Void> s : sends) {
            s.get(20, TimeUnit.SECONDS);
        }
        assertThat(cluster.node(1).broker().stats().dropped(DropReason.NODE_UNREACHABLE)).isZero();
        assertThat(cluster.node(1).broker().stats().dropped(DropReason.NO_SUBSCRIBERS))
                .as("delivered on the other node: not dropped for want of a subscriber").isZero();
        assertThat(cluster.node(0).broker().stats().dropped(DropReason.SLOW_SUBSCRIBER)).isZero();
    }
}
