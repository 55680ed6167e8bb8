package dev.stratus.ingress.conformance;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.stratus.ingress.support.RawMqttClient.PINGRESP;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBCOMP;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.PUBREC;
import static dev.stratus.ingress.support.RawMqttClient.PUBREL;
import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static dev.stratus.ingress.support.RawMqttClient.packet;
import static dev.stratus.ingress.support.RawMqttClient.pingreq;
import static dev.stratus.ingress.support.RawMqttClient.puback;
import static dev.stratus.ingress.support.RawMqttClient.pubcomp;
import static dev.stratus.ingress.support.RawMqttClient.publish;
import static dev.stratus.ingress.support.RawMqttClient.publishRawTopic;
import static dev.stratus.ingress.support.RawMqttClient.pubrec;
import static dev.stratus.ingress.support.RawMqttClient.pubrel;
import static dev.stratus.ingress.support.RawMqttClient.string;
import static dev.stratus.ingress.support.RawMqttClient.sub;
import static dev.stratus.ingress.support.RawMqttClient.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.unsubscribe;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sections 2.2, 2.3, 3.3 and 4.3: packet identifiers, fixed-header flags and the QoS flows as the broker receives
 * and sends PUBLISH; 1.5.3 and 4.7.3 on how topic names are compared.
 */
class PublishConformanceIT extends ConformanceTestBase {

    // ---- fixed header and packet identifiers ---------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-2.2.2-1] every packet the broker sends has the fixed-header flags of Table 2.2: 0000, and "
            + "0010 for PUBREL")
    void sentPacketsHaveTheReservedFlagValues() {
        String topic = unique("flags/t");
        List<Packet> got = new ArrayList<>();
        RawMqttClient c = open();
        got.add(c.connect(connectPacket(unique("flags"))));
        c.send(subscribe(1, sub(topic, 2)));
        got.add(c.expect(RawMqttClient.SUBACK, PROMPTLY));
        c.send(publish(topic, bytes("q1"), 1, false, false, 2));
        List<Packet> flow = List.of(c.readPacket(PROMPTLY), c.readPacket(PROMPTLY)); // PUBACK and the delivery
        got.addAll(flow);
        Packet delivery = flow.stream().filter(p -> p.type() == PUBLISH).findFirst().orElseThrow();
        c.send(puback(delivery.packetId()));
        c.send(publish(topic, bytes("q2"), 2, false, false, 3));
        List<Packet> flow2 = List.of(c.readPacket(PROMPTLY), c.readPacket(PROMPTLY)); // PUBREC and the delivery
        got.addAll(flow2);
        Packet delivery2 = flow2.stream().filter(p -> p.type() == PUBLISH).findFirst().orElseThrow();
        c.send(pubrel(3));
        got.add(c.expect(PUBCOMP, PROMPTLY));
        c.send(pubrec(delivery2.packetId()));
        got.add(c.expect(PUBREL, PROMPTLY));
        c.send(pubcomp(delivery2.packetId()));
        c.send(unsubscribe(4, topic));
        got.add(c.expect(RawMqttClient.UNSUBACK, PROMPTLY));
        c.send(pingreq());
        got.add(c.expect(PINGRESP, PROMPTLY));

        for (Packet p : got) {
            int expected = switch (p.type()) {
                case PUBREL -> 0b0010;
                case PUBLISH -> p.qos() << 1; // DUP 0, RETAIN 0: a first delivery to an existing subscription
                default -> 0b0000;
            };
            assertThat(p.flags()).as("flags of " + p).isEqualTo(expected);
        }
        assertThat(got).extracting(Packet::type).contains(RawMqttClient.CONNACK, RawMqttClient.SUBACK, PUBACK,
                PUBLISH, PUBREC, PUBCOMP, PUBREL, RawMqttClient.UNSUBACK, PINGRESP);
    }

    static Stream<Arguments> packetsWithIdZero() {
        return Stream.of(
                Arguments.of("PUBLISH QoS 1", publish("zero/id", bytes("x"), 1, false, false, 0)),
                Arguments.of("PUBLISH QoS 2", publish("zero/id", bytes("x"), 2, false, false, 0)),
                Arguments.of("SUBSCRIBE", subscribe(0, sub("zero/id", 1))),
                Arguments.of("UNSUBSCRIBE", unsubscribe(0, "zero/id")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packetsWithIdZero")
    @DisplayName("[MQTT-2.3.1-1] a SUBSCRIBE, UNSUBSCRIBE or QoS 1/2 PUBLISH with packet identifier 0 closes the "
            + "connection, unanswered")
    void packetIdZeroClosesConnection(String what, byte[] packet) {
        RawMqttClient watcher = connected(unique("zero-watcher"));
        watcher.subscribeAndAwait(1, "zero/id", 1);
        RawMqttClient c = connected(unique("zero-id"));
        c.send(packet);
        assertThat(c.awaitClosed(PROMPTLY)).as("no answer to " + what).isEmpty();
        watcher.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT-2.3.1-6] PUBACK, PUBREC and PUBCOMP carry the packet id of the client's PUBLISH and PUBREL; "
            + "the broker's PUBREL that of its own PUBLISH")
    void acknowledgementsCarryThePublishPacketId() {
        String topic = unique("ids/t");
        RawMqttClient sub = connected(unique("ids-sub"));
        sub.subscribeAndAwait(1, topic, 2);
        RawMqttClient c = connected(unique("ids-pub"));
        for (int id : new int[] {1, 0x1234, 0xFFFF}) {
            c.send(publish(topic, bytes("q1-" + id), 1, false, false, id));
            assertThat(c.expect(PUBACK, PROMPTLY).packetId()).isEqualTo(id);
            c.send(publish(topic, bytes("q2-" + id), 2, false, false, id));
            assertThat(c.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(id);
            c.send(pubrel(id));
            assertThat(c.expect(PUBCOMP, PROMPTLY).packetId()).isEqualTo(id);

            Packet q1 = nextPublish(sub);
            sub.send(puback(q1.packetId()));
            Packet q2 = nextPublish(sub);
            sub.send(pubrec(q2.packetId()));
            assertThat(sub.expect(PUBREL, PROMPTLY).packetId()).isEqualTo(q2.packetId());
            sub.send(pubcomp(q2.packetId()));
        }
    }

    @Test
    @DisplayName("[MQTT-2.3.1-5] [MQTT-3.3.1-2] [MQTT-4.3.1-1] a QoS 0 delivery has QoS 0, DUP 0 and no packet "
            + "identifier, also when published at QoS 1 with DUP=1")
    void qos0DeliveryHasNoPacketIdAndNoDup() {
        String topic = unique("q0/t");
        RawMqttClient sub = connected(unique("q0-sub"));
        sub.subscribeAndAwait(1, topic, 0);
        RawMqttClient c = connected(unique("q0-pub"));
        c.send(publish(topic, bytes("plain"), 0, false, false, 0));
        c.send(publish(topic, bytes("resent"), 1, false, true, 5));
        c.expect(PUBACK, PROMPTLY);
        for (String payload : List.of("plain", "resent")) {
            Packet p = nextPublish(sub);
            assertThat(p.flags()).as("QoS 0, DUP 0, RETAIN 0").isZero();
            // the body is the topic and the payload, nothing between
            assertThat(p.body()).isEqualTo(concat(string(topic), bytes(payload)));
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-3] DUP=1 on an incoming PUBLISH is not passed on: the subscriber's first delivery "
            + "has DUP=0")
    void dupIsNotPropagated() {
        String topic = unique("dup/t");
        RawMqttClient sub = connected(unique("dup-sub"));
        sub.subscribeAndAwait(1, topic, 2);
        RawMqttClient c = connected(unique("dup-pub"));
        c.send(publish(topic, bytes("one"), 1, false, true, 7));
        c.expect(PUBACK, PROMPTLY);
        c.send(publish(topic, bytes("two"), 2, false, true, 8));
        c.expect(PUBREC, PROMPTLY);
        c.send(pubrel(8));
        Packet one = nextPublish(sub);
        assertThat(one.qos()).isEqualTo(1);
        assertThat(one.dup()).isFalse();
        sub.send(puback(one.packetId()));
        Packet two = nextPublish(sub);
        assertThat(two.qos()).isEqualTo(2);
        assertThat(two.dup()).isFalse();
    }

    // ---- PUBLISH topic ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.3.2-1] a PUBLISH without room for its topic name closes the connection and is not routed")
    void publishWithoutTopicClosesConnection() {
        RawMqttClient watcher = connected(unique("no-topic-watcher"));
        watcher.subscribeAndAwait(1, "#", 1);
        // no room for the length; a length of 16 with 2 bytes after it; a QoS 1 topic without room for the packet id
        for (byte[] bad : List.of(packet(PUBLISH, 0, new byte[] {0}),
                packet(PUBLISH, 0, new byte[] {0, 16, 'a', 'b'}),
                packet(PUBLISH, 0x02, new byte[] {0, 1, 'a', 0}))) {
            RawMqttClient c = connected(unique("no-topic"));
            c.sendRaw(bad);
            assertThat(c.awaitClosed(PROMPTLY)).as("closed at once, no PUBACK").isEmpty();
        }
        watcher.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-3] a subscriber to wildcard filters receives the publisher's topic name, which "
            + "matches the filter; other topics are not sent")
    void deliveredTopicNameMatchesTheFilter() {
        String root = unique("match");
        RawMqttClient sub = connected(unique("match-sub"));
        sub.subscribeAndAwait(1, root + "/+/temp", 0);
        sub.subscribeAndAwait(2, root + "/house/#", 0);
        RawMqttClient c = connected(unique("match-pub"));
        for (String t : List.of("/kitchen/temp", "/kitchen/humidity", "/house/roof/temp", "/house", "/garden/x/temp")) {
            c.send(publish(root + t, "x"));
        }
        c.send(publish(root + "/end/temp", "x"));
        List<String> topics = new ArrayList<>();
        while (!topics.contains(root + "/end/temp")) {
            topics.add(nextPublish(sub).topic());
        }
        assertThat(topics).containsExactly(root + "/kitchen/temp", root + "/house/roof/temp", root + "/house",
                root + "/end/temp");
    }

    // ---- responses and QoS flows -----------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.3.4-1] the broker answers a QoS 0 PUBLISH with nothing, QoS 1 with PUBACK, QoS 2 with "
            + "PUBREC")
    void publishIsAnsweredAsItsQosRequires() {
        RawMqttClient c = connected(unique("answers"));
        String topic = unique("answers/t");
        c.send(publish(topic, bytes("0"), 0, false, false, 0));
        c.send(pingreq());
        c.expect(PINGRESP, PROMPTLY); // nothing came before the PINGRESP
        c.send(publish(topic, bytes("1"), 1, false, false, 11));
        assertThat(c.expect(PUBACK, PROMPTLY).packetId()).isEqualTo(11);
        c.send(publish(topic, bytes("2"), 2, false, false, 12));
        assertThat(c.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(12);
        c.send(pingreq());
        c.expect(PINGRESP, PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT-4.3.2-1] [MQTT-2.3.1-4] [MQTT-2.3.1-1] [MQTT-4.6.0-1] QoS 1 deliveries: distinct non-zero "
            + "ids, DUP 0; unacknowledged ones are re-sent in order with the same ids, acknowledged ones never")
    void qos1SenderKeepsUnacknowledgedMessages() {
        String id = unique("q1-sender");
        String topic = unique("q1s/t");
        RawMqttClient sub = persistent(id);
        sub.subscribeAndAwait(1, topic, 1);
        RawMqttClient c = connected(unique("q1-pub"));
        for (int i = 0; i < 5; i++) {
            c.send(publish(topic, bytes("m" + i), 1, false, false, i + 1));
            c.expect(PUBACK, PROMPTLY);
        }
        List<Packet> first = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            Packet p = nextPublish(sub);
            assertThat(p.payloadText()).isEqualTo("m" + i);
            assertThat(p.qos()).isEqualTo(1);
            assertThat(p.dup()).isFalse();
            assertThat(p.packetId()).isNotZero();
            ids.add(p.packetId());
            first.add(p);
        }
        assertThat(ids).as("one unused id per message").hasSize(5);
        sub.send(puback(first.get(0).packetId()));
        sub.send(puback(first.get(2).packetId()));
        sub.send(pingreq());
        sub.expect(PINGRESP, PROMPTLY);
        sub.close();

        RawMqttClient again = persistent(id);
        for (int i : new int[] {1, 3, 4}) {
            Packet p = nextPublish(again);
            assertThat(p.payloadText()).isEqualTo("m" + i);
            assertThat(p.packetId()).isEqualTo(first.get(i).packetId());
            assertThat(p.dup()).isTrue();
            again.send(puback(p.packetId()));
        }
        again.assertNoPacket(QUIET);
        again.disconnect();
        connected(id).disconnect(); // discard the session
    }

    @Test
    @DisplayName("[MQTT-4.3.3-1] QoS 2 delivery: PUBLISH DUP 0 until PUBREC, then PUBREL with the same id until "
            + "PUBCOMP, and no PUBLISH again after PUBREL")
    void qos2SenderFlow() {
        String id = unique("q2-sender");
        String topic = unique("q2s/t");
        RawMqttClient sub = persistent(id);
        sub.subscribeAndAwait(1, topic, 2);
        RawMqttClient c = connected(unique("q2-pub"));
        c.send(publish(topic, bytes("exactly once"), 2, false, false, 1));
        c.expect(PUBREC, PROMPTLY);
        c.send(pubrel(1));
        c.expect(PUBCOMP, PROMPTLY);

        Packet p = nextPublish(sub);
        assertThat(p.qos()).isEqualTo(2);
        assertThat(p.dup()).isFalse();
        int packetId = p.packetId();
        assertThat(packetId).isNotZero();
        sub.close(); // no PUBREC: the PUBLISH is still unacknowledged

        RawMqttClient second = persistent(id);
        Packet resent = nextPublish(second);
        assertThat(resent.packetId()).isEqualTo(packetId);
        assertThat(resent.dup()).isTrue();
        second.send(pubrec(packetId));
        assertThat(second.expect(PUBREL, PROMPTLY).packetId()).isEqualTo(packetId);
        second.close(); // no PUBCOMP: the PUBREL is still unacknowledged

        RawMqttClient third = persistent(id);
        Packet pubrel = third.readPacket(PROMPTLY);
        assertThat(pubrel.type()).as("PUBREL again, not PUBLISH: " + pubrel).isEqualTo(PUBREL);
        assertThat(pubrel.packetId()).isEqualTo(packetId);
        third.send(pubcomp(packetId));
        third.send(pingreq());
        third.expect(PINGRESP, PROMPTLY);
        third.close();

        RawMqttClient fourth = persistent(id);
        fourth.assertNoPacket(QUIET);
        fourth.disconnect();
        connected(id).disconnect(); // discard the session
    }

    // ---- topic names as they are -----------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-1.5.3-3] a leading U+FEFF (EF BB BF) in a topic is kept: it is delivered as sent and does "
            + "not match the topic without it")
    void byteOrderMarkIsNotStripped() {
        String plain = unique("bom/t");
        String withBom = "\uFEFF" + plain;
        RawMqttClient sub = connected(unique("bom-sub"));
        sub.subscribeAndAwait(1, plain, 0);
        sub.subscribeAndAwait(2, withBom, 0);
        RawMqttClient c = connected(unique("bom-pub"));
        byte[] bomTopic = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes(plain));
        c.send(publishRawTopic(bomTopic, bytes("with"), 0, false, false, 0));
        c.send(publish(plain, "without"));

        Packet first = nextPublish(sub);
        assertThat(first.payloadText()).isEqualTo("with");
        assertThat(first.body()).startsWith(concat(new byte[] {0, (byte) bomTopic.length}, bomTopic));
        Packet second = nextPublish(sub);
        assertThat(second.payloadText()).isEqualTo("without");
        assertThat(second.topic()).isEqualTo(plain);
        sub.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT-4.7.3-4] topics are matched byte for byte: no case folding, Unicode normalization, "
            + "trimming or collapsing of levels")
    void topicsAreNotNormalized() {
        String root = unique("norm");
        String filter = root + "/caf\u00e9/a";
        RawMqttClient sub = connected(unique("norm-sub"));
        sub.subscribeAndAwait(1, filter, 0);
        RawMqttClient c = connected(unique("norm-pub"));
        List<String> others = List.of(
                root + "/CAF\u00c9/a",          // other case
                root + "/cafe\u0301/a",         // the same text in NFD
                root + "/caf\u00e9/a/",         // trailing separator
                root + "//caf\u00e9/a",         // empty level
                root + "/caf\u00e9 /a",         // trailing space
                root + "/caf\uff45\u0301/a");   // full-width e
        for (String t : others) {
            c.send(publish(t, "no"));
        }
        c.send(publish(filter, "yes"));
        Packet p = nextPublish(sub);
        assertThat(p.payloadText()).isEqualTo("yes");
        assertThat(p.topic().getBytes(StandardCharsets.UTF_8)).isEqualTo(filter.getBytes(StandardCharsets.UTF_8));
        sub.assertNoPacket(QUIET);
    }
}
