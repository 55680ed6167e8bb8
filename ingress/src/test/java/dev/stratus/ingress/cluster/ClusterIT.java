package dev.stratus.ingress.cluster;

import dev.stratus.ingress.support.RawClients;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.propU32;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three broker nodes in one JVM on one real redis-server, with clients connected to different nodes: messages,
 * retained messages, shared subscriptions and sessions cross nodes.
 */
class ClusterIT {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(300);
    private static TestCluster cluster;
    private final RawClients clients = new RawClients();

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @AfterEach
    void closeClients() {
        clients.close();
    }

    private RawMqttClient connect(int node, RawMqttClient.Connect connect) {
        return clients.connected(cluster.tcpPort(node), connect);
    }

    private RawMqttClient connect5(int node, String id) {
        return connect(node, RawClients.connect5(id));
    }

    private static String text(Packet p) {
        return new String(p.payload5(), StandardCharsets.UTF_8);
    }

    /** Until node {@code from} forwards {@code topic} to {@code to}: the route has reached its replica. */
    private static void awaitRoute(int from, int to, String topic) {
        String target = cluster.node(to).cluster().nodeId();
        await("route of node " + to + " known to node " + from).atMost(PROMPTLY)
                .until(() -> cluster.node(from).cluster().remoteNodesFor(topic).contains(target));
    }

    private static void subscribe(RawMqttClient c, String filter, int options) {
        c.send(RawMqttClient.subscribe5(1, props(), filter, options));
        c.readUntil(RawMqttClient.SUBACK, PROMPTLY);
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    @DisplayName("a message published on one node reaches a wildcard subscriber on another, at each QoS")
    void crossNodeDelivery(int qos) {
        RawMqttClient sub = connect5(0, "x-sub-" + qos);
        subscribe(sub, "cross/" + qos + "/+", qos);
        awaitRoute(1, 0, "cross/" + qos + "/a");
        RawMqttClient pub = connect5(1, "x-pub-" + qos);
        pub.send(publish5("cross/" + qos + "/a", utf8("hello from node 1"), qos, false, 1, props()));
        if (qos > 0) {
            Packet ack = pub.readUntil(qos == 1 ? PUBACK : RawMqttClient.PUBREC, PROMPTLY);
            assertThat(ack.reasonCode()).as("a subscriber matched, on another node").isZero();
        }
        Packet got = sub.expect(PUBLISH, PROMPTLY);
        assertThat(got.topic()).isEqualTo("cross/" + qos + "/a");
        assertThat(got.qos()).isEqualTo(qos);
        assertThat(text(got)).isEqualTo("hello from node 1");
        sub.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT-4.6.0-5] [MQTT-4.6.0-6] messages of one publisher reach a subscriber on another node in the "
            + "order they were published, also when many are in flight at once")
    void orderAcrossNodes() {
        RawMqttClient sub = connect5(0, "order-sub");
        subscribe(sub, "order/+", 1);
        awaitRoute(1, 0, "order/p0");
        int publishers = 4;
        int n = 300;
        List<RawMqttClient> pubs = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            pubs.add(connect5(1, "order-pub-" + p)); // spread over the node's event loops
        }
        for (int i = 1; i <= n; i++) {
            for (int p = 0; p < publishers; p++) {
                pubs.get(p).send(publish5("order/p" + p, utf8(Integer.toString(i)), 1, false, i, props()));
            }
        }
        int[] last = new int[publishers];
        for (int k = 0; k < publishers * n; k++) {
            Packet got = sub.expect(PUBLISH, PROMPTLY);
            int p = got.topic().charAt(got.topic().length() - 1) - '0';
            int i = Integer.parseInt(text(got));
            assertThat(i).as("publisher %d: message after %d", p, last[p]).isEqualTo(last[p] + 1);
            last[p] = i;
            sub.send(RawMqttClient.puback(got.packetId()));
        }
    }

    @Test
    @DisplayName("the latency of every Redis call a node makes is recorded per operation (metrics)")
    void redisCommandLatencyIsRecorded() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        cluster.node(2).redisCallTimers().bindTo(registry);
        // a persistent session: its QoS 1 message is appended to its Redis queue before it is sent
        RawMqttClient sub = connect(2, RawClients.connect5("lat-sub", RawMqttClient.propU32(0x11, 300)));
        subscribe(sub, "latency/t", 1);
        RawMqttClient pub = connect5(2, "lat-pub");
        pub.send(publish5("latency/t", utf8("timed"), 1, false, 1, props()));
        pub.readUntil(PUBACK, PROMPTLY);
        sub.expect(PUBLISH, PROMPTLY);

        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(registry.find("stratus.redis.command.duration")
                .tag("operation", "queues.append").tag("outcome", "success").timer())
                .isNotNull().extracting(io.micrometer.core.instrument.Timer::count).isEqualTo(1L));
        assertThat(registry.find("stratus.redis.command.duration").timers())
                .extracting(t -> t.getId().getTag("operation")).contains("sessions.upsert");
    }

    @Test
    @DisplayName("[MQTT-3.8.4-6] across nodes a message is delivered at the lower of published and granted QoS")
    void qosDowngradeAcrossNodes() {
        RawMqttClient sub = connect5(2, "down-sub");
        subscribe(sub, "down/t", 0);
        awaitRoute(0, 2, "down/t");
        RawMqttClient pub = connect5(0, "down-pub");
        pub.send(publish5("down/t", utf8("two"), 2, false, 1, props()));
        assertThat(sub.expect(PUBLISH, PROMPTLY).qos()).isZero();
    }

    @Test
    @DisplayName("MQTT 5 properties travel with a message across nodes")
    void propertiesAcrossNodes() {
        RawMqttClient sub = connect5(1, "props-sub");
        subscribe(sub, "props/t", 1);
        awaitRoute(2, 1, "props/t");
        RawMqttClient pub = connect5(2, "props-pub");
        pub.send(publish5("props/t", utf8("x"), 1, false, 1, props(RawMqttClient.userProperty("k", "v"),
                RawMqttClient.propString(0x03, "text/plain"))));
        Packet got = sub.expect(PUBLISH, PROMPTLY);
        assertThat(got.properties5()).containsKeys(0x03, 0x26);
    }

    @Test
    @DisplayName("a retained message stored through one node is sent on subscribe by another")
    void retainedAcrossNodes() {
        RawMqttClient pub = connect5(0, "ret-pub");
        pub.send(publish5("ret/cluster/t", utf8("kept"), 1, true, 1, props()));
        pub.expect(PUBACK, PROMPTLY);
        RawMqttClient sub = connect5(2, "ret-sub");
        subscribe(sub, "ret/cluster/#", 1);
        Packet got = sub.expect(PUBLISH, PROMPTLY);
        assertThat(got.retain()).isTrue();
        assertThat(text(got)).isEqualTo("kept");
        pub.send(publish5("ret/cluster/t", new byte[0], 1, true, 2, props()));
        pub.expect(PUBACK, PROMPTLY);
    }

    @Test
    @DisplayName("a shared group with members on two nodes: each message goes to exactly one member, on either")
    void sharedAcrossNodes() {
        RawMqttClient a = connect5(0, "sh-a");
        RawMqttClient b = connect5(1, "sh-b");
        subscribe(a, "$share/g/shared/t", 1);
        subscribe(b, "$share/g/shared/t", 1);
        await("node 2 knows both members' nodes").atMost(PROMPTLY).until(() -> cluster.node(2).cluster()
                .remoteGroupsFor("shared/t").getOrDefault("$share/g/shared/t", List.of()).size() == 2);
        RawMqttClient pub = connect5(2, "sh-pub");
        for (int i = 1; i <= 20; i++) {
            pub.send(publish5("shared/t", utf8("m" + i), 1, false, i, props()));
            pub.expect(PUBACK, PROMPTLY);
        }
        int na = drain(a).size();
        int nb = drain(b).size();
        assertThat(na + nb).as("each message once").isEqualTo(20);
        assertThat(na).isPositive();
        assertThat(nb).isPositive();
    }

    private static List<Packet> drain(RawMqttClient c) {
        List<Packet> got = new ArrayList<>();
        Optional<Packet> p;
        while ((p = c.pollPacket(QUIET)).isPresent()) {
            if (p.get().type() == PUBLISH) {
                got.add(p.get());
                if (p.get().qos() == 1) {
                    c.send(RawMqttClient.puback(p.get().packetId()));
                }
            }
        }
        return got;
    }

    @Test
    @DisplayName("[MQTT5-3.1.4-3] a newer connection on another node takes the session over: the old one gets "
            + "DISCONNECT 0x8E")
    void takeoverAcrossNodes() {
        RawMqttClient first = connect5(0, "roamer");
        RawMqttClient second = connect5(1, "roamer");
        List<Packet> got = first.awaitClosed(PROMPTLY);
        assertThat(got).extracting(Packet::typeName).containsExactly("DISCONNECT");
        assertThat(got.get(0).reasonCode()).isEqualTo(0x8E);
        second.send(RawMqttClient.pingreq());
        second.expect(RawMqttClient.PINGRESP, PROMPTLY);
    }

    @Test
    @DisplayName("a persistent session resumes on another node with its subscriptions and queued messages")
    void resumeOnAnotherNode() {
        RawMqttClient sub = connect(0, RawMqttClient.connectPacket("traveller").v5(propU32(0x11, 300)));
        subscribe(sub, "travel/t", 1);
        awaitRoute(1, 0, "travel/t");
        sub.send(RawMqttClient.disconnect5(0, props()));
        sub.awaitClosed(PROMPTLY);
        RawMqttClient pub = connect5(1, "travel-pub");
        for (int i = 1; i <= 3; i++) {
            pub.send(publish5("travel/t", utf8("m" + i), 1, false, i, props()));
            pub.expect(PUBACK, PROMPTLY);
        }
        RawMqttClient back = connect(2, RawMqttClient.connectPacket("traveller").cleanSession(false)
                .v5(propU32(0x11, 300)));
        assertThat(back.lastConnAck().sessionPresent()).isTrue();
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Packet p = back.expect(PUBLISH, PROMPTLY);
            got.add(text(p));
            back.send(RawMqttClient.puback(p.packetId()));
        }
        assertThat(got).containsExactly("m1", "m2", "m3");
        // and it goes on receiving on its new node
        awaitRoute(1, 2, "travel/t");
        pub.send(publish5("travel/t", utf8("m4"), 1, false, 4, props()));
        assertThat(text(back.expect(PUBLISH, PROMPTLY))).isEqualTo("m4");
    }

    @Test
    @DisplayName("an unsubscribe removes the node's route: the publisher on another node is told 0x10")
    void unsubscribeRemovesRoute() {
        RawMqttClient sub = connect5(0, "unsub-sub");
        subscribe(sub, "gone/t", 0);
        awaitRoute(1, 0, "gone/t");
        sub.send(RawMqttClient.packet(RawMqttClient.UNSUBSCRIBE, 0x02, RawMqttClient.concat(new byte[] {0, 2}, props(),
                RawMqttClient.string("gone/t"))));
        sub.expect(RawMqttClient.UNSUBACK, PROMPTLY);
        String node0 = cluster.node(0).cluster().nodeId();
        await().atMost(PROMPTLY).until(() -> !cluster.node(1).cluster().remoteNodesFor("gone/t").contains(node0));
        RawMqttClient pub = connect5(1, "unsub-pub");
        pub.send(publish5("gone/t", utf8("x"), 1, false, 1, props()));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isEqualTo(0x10);
    }
}
