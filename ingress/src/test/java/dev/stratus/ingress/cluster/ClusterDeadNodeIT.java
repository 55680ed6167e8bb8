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
import java.util.ArrayList;
import java.util.List;

import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.propU32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node dies: a survivor publishes its clients' wills (unless their sessions were resumed elsewhere), marks its
 * sessions disconnected, and the sessions expire on time although their node is gone.
 */
class ClusterDeadNodeIT {

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

    private RawMqttClient connect(int node, RawMqttClient.Connect connect) {
        return clients.connected(cluster.tcpPort(node), connect);
    }

    private RawMqttClient watcher(String filter) {
        RawMqttClient w = connect(0, RawMqttClient.connectPacket("will-watcher").v5());
        w.send(RawMqttClient.subscribe5(1, props(), filter, 0));
        w.readUntil(RawMqttClient.SUBACK, PROMPTLY);
        String self = cluster.node(0).cluster().nodeId();
        await().atMost(PROMPTLY).until(() -> cluster.node(1).cluster().remoteNodesFor("wills/x").contains(self));
        return w;
    }

    /**
     * A persistent MQTT 5 session (expiry 300 s) on {@code node} subscribed to {@code filter}, once node
     * {@code watching} routes {@code topic} to it.
     */
    private RawMqttClient persistentSubscriber(int node, String clientId, String filter, int qos, int watching,
                                               String topic) {
        RawMqttClient sub = connect(node, RawMqttClient.connectPacket(clientId).v5(propU32(0x11, 300)));
        sub.send(RawMqttClient.subscribe5(1, props(), filter, qos));
        sub.readUntil(RawMqttClient.SUBACK, PROMPTLY);
        String id = cluster.node(node).cluster().nodeId();
        await().atMost(PROMPTLY).until(() -> cluster.node(watching).cluster().remoteNodesFor(topic).contains(id));
        return sub;
    }

    /** The client comes back (Clean Start 0, expiry 300 s) on {@code node} and finds its session. */
    private RawMqttClient resume(int node, String clientId) {
        RawMqttClient back = connect(node, RawMqttClient.connectPacket(clientId).cleanSession(false)
                .v5(propU32(0x11, 300)));
        assertThat(back.lastConnAck().sessionPresent()).isTrue();
        return back;
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-8] the will of a client whose node died is published by a surviving node")
    void deadNodesWillIsPublished() {
        cluster = TestCluster.start(2);
        RawMqttClient watcher = watcher("wills/#");
        connect(1, RawMqttClient.connectPacket("orphan").v5()
                .will("wills/orphan", "node 1 died".getBytes(StandardCharsets.UTF_8), 0, false));
        cluster.node(1).cluster().simulateCrash();
        Packet will = watcher.expect(PUBLISH, Duration.ofSeconds(10));
        assertThat(will.topic()).isEqualTo("wills/orphan");
        assertThat(new String(will.payload5(), StandardCharsets.UTF_8)).isEqualTo("node 1 died");
    }

    @Test
    @DisplayName("a client that ended normally on a node that later dies leaves no will behind")
    void normalDisconnectLeavesNoWill() {
        cluster = TestCluster.start(2);
        RawMqttClient watcher = watcher("wills/#");
        RawMqttClient polite = connect(1, RawMqttClient.connectPacket("polite").v5()
                .will("wills/polite", "must not appear".getBytes(StandardCharsets.UTF_8), 0, false));
        polite.send(RawMqttClient.disconnect5(0, props()));
        polite.awaitClosed(PROMPTLY);
        cluster.node(1).cluster().simulateCrash();
        String dead = cluster.node(1).cluster().nodeId();
        await("the survivor cleaned up").atMost(Duration.ofSeconds(10))
                .until(() -> !cluster.node(0).cluster().remoteNodesFor("wills/x").contains(dead));
        watcher.assertNoPacket(Duration.ofMillis(500));
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-9] a delayed will of a dead node's client is not published when the client resumed "
            + "its session on another node within the delay")
    void resumedElsewhereWithinTheDelay() {
        cluster = TestCluster.start(2);
        RawMqttClient watcher = watcher("wills/#");
        connect(1, RawMqttClient.connectPacket("mover").v5(propU32(0x11, 300))
                .will("wills/mover", "late".getBytes(StandardCharsets.UTF_8), 0, false)
                .willProperties(propU32(0x18, 2)));
        cluster.node(1).cluster().simulateCrash();
        RawMqttClient back = connect(0, RawMqttClient.connectPacket("mover").cleanSession(false)
                .v5(propU32(0x11, 300)));
        assertThat(back.lastConnAck().sessionPresent()).isTrue();
        String dead = cluster.node(1).cluster().nodeId();
        await("the survivor cleaned up").atMost(Duration.ofSeconds(10))
                .until(() -> !cluster.node(0).cluster().remoteNodesFor("wills/x").contains(dead));
        watcher.assertNoPacket(Duration.ofSeconds(3)); // longer than the delay
    }

    @Test
    @DisplayName("[MQTT5-4.1.0-2] a dead node's session expires on time; one that never expires is kept, disconnected")
    void deadNodesSessionsExpire() {
        cluster = TestCluster.start(2);
        RawMqttClient brief = connect(1, RawMqttClient.connectPacket("brief").v5(propU32(0x11, 1)));
        brief.send(RawMqttClient.subscribe5(1, props(), "brief/t", 1));
        brief.readUntil(RawMqttClient.SUBACK, PROMPTLY);
        connect(1, RawMqttClient.connectPacket("forever").v5(propU32(0x11, 0xFFFFFFFFL)));
        cluster.node(1).cluster().simulateCrash();
        var sessions = cluster.node(0).broker().stores().sessions();
        dev.stratus.state.model.SessionKey briefKey =
                new dev.stratus.state.model.SessionKey(dev.stratus.state.model.TenantId.DEFAULT, "brief");
        dev.stratus.state.model.SessionKey foreverKey =
                new dev.stratus.state.model.SessionKey(dev.stratus.state.model.TenantId.DEFAULT, "forever");
        await("the dead node's session with a 1 s expiry is gone").atMost(Duration.ofSeconds(15))
                .until(() -> sessions.find(briefKey).toCompletableFuture().join().isEmpty());
        var forever = sessions.find(foreverKey).toCompletableFuture().join();
        assertThat(forever).isPresent();
        assertThat(forever.get().disconnectedAtMillis()).as("marked disconnected").isPositive();
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] a QoS 2 message published while a dead node's routes remain reaches a session that "
            + "moved off that node once, and its publisher is acknowledged, not refused")
    void qos2ToADyingNodeIsDeliveredOnceToTheSessionThatMoved() {
        cluster = TestCluster.start(3);
        RawMqttClient sub = persistentSubscriber(2, "mover2", "once/t", 2, 0, "once/t");
        String dying = cluster.node(2).cluster().nodeId();
        String survivor = cluster.node(1).cluster().nodeId();

        // node 2 stops listening but still heartbeats: its route stays in every replica while the client moves
        cluster.node(2).cluster().simulateInboxLoss();
        sub.close();
        RawMqttClient moved = resume(1, "mover2");
        await("node 0 routes to both").atMost(PROMPTLY).until(() -> cluster.node(0).cluster().remoteNodesFor("once/t")
                .containsAll(List.of(dying, survivor)));

        RawMqttClient pub = connect(0, RawMqttClient.connectPacket("once-pub").v5());
        pub.send(RawMqttClient.publish5("once/t", "exactly once".getBytes(StandardCharsets.UTF_8), 2, false, 1,
                props()));
        Packet first = moved.expect(PUBLISH, PROMPTLY); // from node 1's own route, at once
        assertThat(new String(first.payload5(), StandardCharsets.UTF_8)).isEqualTo("exactly once");
        moved.send(RawMqttClient.pubrec(first.packetId()));
        moved.readUntil(RawMqttClient.PUBREL, PROMPTLY);
        moved.send(RawMqttClient.pubcomp(first.packetId()));

        // node 2 dies for good: once a survivor removed its routes, node 0 delivers the message again to the
        // sessions it held, and the moved session, which had it, does not get it twice
        cluster.node(2).cluster().simulateCrash();
        Packet pubrec = pub.expect(RawMqttClient.PUBREC, Duration.ofSeconds(15));
        assertThat(pubrec.reasonCode()).as("accepted, not refused").isZero();
        pub.send(RawMqttClient.pubrel(1));
        pub.readUntil(RawMqttClient.PUBCOMP, PROMPTLY);
        pub.send(RawMqttClient.publish5("once/t", "marker".getBytes(StandardCharsets.UTF_8), 2, false, 2, props()));
        Packet next = moved.expect(PUBLISH, PROMPTLY);
        assertThat(new String(next.payload5(), StandardCharsets.UTF_8)).as("no second copy before the marker")
                .isEqualTo("marker");
    }

    @Test
    @DisplayName("a QoS 2 message forwarded to a dead node before a survivor took custody of its sessions is "
            + "acknowledged and reaches the held session once when its client comes back")
    void qos2ToADeadNodeReachesItsHeldSessionOnce() {
        cluster = TestCluster.start(2);
        RawMqttClient sub = persistentSubscriber(1, "held2", "held/t", 2, 0, "held/t");
        cluster.node(1).cluster().simulateInboxLoss();
        sub.close();

        RawMqttClient pub = connect(0, RawMqttClient.connectPacket("held-pub").v5());
        pub.send(RawMqttClient.publish5("held/t", "kept once".getBytes(StandardCharsets.UTF_8), 2, false, 1,
                props()));
        cluster.node(1).cluster().simulateCrash();
        assertThat(pub.expect(RawMqttClient.PUBREC, Duration.ofSeconds(15)).reasonCode()).isZero();

        RawMqttClient back = resume(0, "held2");
        Packet p = back.expect(PUBLISH, PROMPTLY);
        assertThat(new String(p.payload5(), StandardCharsets.UTF_8)).isEqualTo("kept once");
        back.send(RawMqttClient.pubrec(p.packetId()));
        back.readUntil(RawMqttClient.PUBREL, PROMPTLY);
        back.send(RawMqttClient.pubcomp(p.packetId()));
        back.assertNoPacket(Duration.ofMillis(500));
    }

    @Test
    @DisplayName("a survivor holds a dead node's persistent session: what is published meanwhile is queued for it, "
            + "and the client gets it when it comes back on any node")
    void survivorHoldsTheSessionsOfADeadNode() {
        cluster = TestCluster.start(2);
        persistentSubscriber(1, "adoptee", "adopt/t", 1, 0, "adopt/t");
        cluster.node(1).cluster().simulateCrash();

        RawMqttClient pub = connect(0, RawMqttClient.connectPacket("adopt-pub").v5());
        // published while the dead node still has its route: it waits until the survivor holds the session, and is
        // accepted then (not refused)
        pub.send(RawMqttClient.publish5("adopt/t", "kept".getBytes(StandardCharsets.UTF_8), 1, false, 1, props()));
        assertThat(pub.expect(RawMqttClient.PUBACK, Duration.ofSeconds(15)).reasonCode()).isZero();

        RawMqttClient back = resume(0, "adoptee");
        Packet p = back.expect(PUBLISH, PROMPTLY);
        assertThat(new String(p.payload5(), StandardCharsets.UTF_8)).isEqualTo("kept");
    }
}
