package dev.stratus.ingress.mqtt5.conformance;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawClients.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.SUBACK;
import static dev.stratus.ingress.support.RawMqttClient.UNSUBACK;
import static dev.stratus.ingress.support.RawMqttClient.concat;
import static dev.stratus.ingress.support.RawMqttClient.lengthPrefixed;
import static dev.stratus.ingress.support.RawMqttClient.packet;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static dev.stratus.ingress.support.RawMqttClient.string;
import static dev.stratus.ingress.support.RawMqttClient.userProperty;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MQTT 5.0 sections 1.5 (data representation), 2.1 (fixed header flags) and 2.2 (packet identifiers, properties)
 * over raw MQTT 5 connections.
 */
class Mqtt5DataConformanceIT extends Mqtt5ConformanceTestBase {

    /** A PUBLISH QoS 1 whose topic is the given bytes, with these properties. */
    private static byte[] publishRawTopic(byte[] topic, int packetId, byte[] properties) {
        return packet(PUBLISH, 0x02, concat(lengthPrefixed(topic), new byte[] {(byte) (packetId >> 8), (byte) packetId},
                properties, utf8("x")));
    }

    /** A User Property whose name and value are the given bytes. */
    private static byte[] rawUserProperty(byte[] name, byte[] value) {
        return concat(new byte[] {0x26}, lengthPrefixed(name), lengthPrefixed(value));
    }

    // ---- 1.5.4 UTF-8 Encoded Strings, 1.5.7 UTF-8 String Pairs ----------------------------------------------------

    @ParameterizedTest(name = "topic bytes {0}")
    @ValueSource(strings = {"61 80 62", "ed a0 80", "c0 af", "61 00 62"})
    @DisplayName("[MQTT5-1.5.4-1] [MQTT5-1.5.4-2] [MQTT5-3.3.2-1] [MQTT5-4.7.3-2] a topic name that is ill-formed "
            + "UTF-8, encodes a surrogate, or holds U+0000: DISCONNECT with an error code, then the close; the message is "
            + "not delivered")
    void badTopicName(String hex) {
        RawMqttClient watcher = connected("utf8-topic-watcher");
        subscribe(watcher, 1, "#", 0);
        RawMqttClient c = connected("utf8-topic");
        c.send(publishRawTopic(hex(hex), 1, props()));
        assertThat(awaitDisconnect(c).reasonCode()).as("Malformed Packet or Topic Name invalid").isIn(0x81, 0x90);
        watcher.assertNoPacket(QUIET);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"name ill-formed", "value ill-formed", "name with U+0000", "value with a surrogate"})
    @DisplayName("[MQTT5-1.5.7-1] [MQTT5-1.5.4-1] [MQTT5-1.5.4-2] a User Property (UTF-8 String Pair) with a string "
            + "that breaks the UTF-8 rules is a Malformed Packet: DISCONNECT 0x81")
    void badUserProperty(String which) {
        byte[] ok = utf8("fine");
        byte[] property = switch (which) {
            case "name ill-formed" -> rawUserProperty(hex("61 ff"), ok);
            case "value ill-formed" -> rawUserProperty(ok, hex("c3 28"));
            case "name with U+0000" -> rawUserProperty(hex("61 00"), ok);
            default -> rawUserProperty(ok, hex("ed b0 80"));
        };
        RawMqttClient c = connected("utf8-pair");
        c.send(publishRawTopic(utf8("pair/t"), 1, props(property)));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x81);
    }

    @Test
    @DisplayName("[MQTT5-1.5.4-3] U+FEFF (EF BB BF) in a topic and in a user property is kept, not stripped: it is "
            + "matched as part of the topic and forwarded as it was sent")
    void byteOrderMarkIsKept() {
        String bomTopic = "\uFEFFbom/t";
        RawMqttClient withBom = connected("bom-sub");
        subscribe(withBom, 1, bomTopic, 0);
        RawMqttClient withoutBom = connected("bom-plain-sub");
        subscribe(withoutBom, 1, "bom/t", 0);
        RawMqttClient pub = connected("bom-pub");
        pub.send(publish5(bomTopic, utf8("x"), 1, false, 1, props(userProperty("\uFEFFk", "\uFEFFv"))));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isZero();
        Packet got = withBom.expect(PUBLISH, PROMPTLY);
        assertThat(Arrays.copyOfRange(got.body(), 2, 5)).containsExactly(0xEF, 0xBB, 0xBF);
        assertThat(got.topic()).isEqualTo(bomTopic);
        assertThat(got.propertyList().get(0)[1]).containsExactly(concat(string("\uFEFFk"), string("\uFEFFv")));
        withoutBom.assertNoPacket(QUIET);
    }

    // ---- 1.5.5 Variable Byte Integer --------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-1.5.5-1] the server encodes Remaining Length and Property Length with the fewest bytes")
    void minimalVariableByteIntegers() throws IOException {
        RawMqttClient sub = connected("vbi-sub");
        subscribe(sub, 1, "vbi/t", 0);
        RawMqttClient pub = connected("vbi-pub");
        // properties of 150 bytes (Property Length takes 2 bytes), a whole packet of ~500 (Remaining Length 2 bytes)
        pub.send(publish5("vbi/t", new byte[300], 0, false, 0, props(userProperty("k", "v".repeat(144)))));
        // read the delivery straight from the socket, to see its Remaining Length as encoded
        InputStream in = sub.socket().getInputStream();
        sub.socket().setSoTimeout((int) PROMPTLY.toMillis());
        assertThat(in.read()).isEqualTo(0x30);
        int[] rl = readVbi(in);
        assertThat(rl[1]).as("bytes of Remaining Length " + rl[0]).isEqualTo(minimalVbiBytes(rl[0]));
        byte[] body = in.readNBytes(rl[0]);
        assertThat(body).hasSize(rl[0]);
        int at = 2 + ((body[0] & 0xFF) << 8 | body[1] & 0xFF);
        int[] pl = readVbi(new java.io.ByteArrayInputStream(body, at, body.length - at));
        assertThat(pl[0]).isEqualTo(1 + 2 + 1 + 2 + 144);
        assertThat(pl[1]).as("bytes of Property Length " + pl[0]).isEqualTo(minimalVbiBytes(pl[0]));

        pub.send(publish5("vbi/t", new byte[3], 0, false, 0, props()));
        assertThat(in.read()).isEqualTo(0x30);
        int[] small = readVbi(in);
        assertThat(small[1]).isEqualTo(1);
        in.readNBytes(small[0]);
    }

    private static int[] readVbi(InputStream in) throws IOException {
        int value = 0;
        int multiplier = 1;
        int bytes = 0;
        while (true) {
            int b = in.read();
            assertThat(b).isNotNegative();
            bytes++;
            value += (b & 0x7F) * multiplier;
            if ((b & 0x80) == 0) {
                return new int[] {value, bytes};
            }
            multiplier *= 128;
        }
    }

    private static int minimalVbiBytes(int value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    // ---- 2.1.3 fixed header flags ------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PUBREL flags 0000", "SUBSCRIBE flags 0000", "UNSUBSCRIBE flags 0011", "PINGREQ flags 0001",
            "DISCONNECT flags 1000", "AUTH flags 0010", "PUBACK flags 0010", "PUBLISH QoS 3"})
    @DisplayName("[MQTT5-2.1.3-1] [MQTT5-3.6.1-1] [MQTT5-3.8.1-1] [MQTT5-3.10.1-1] [MQTT5-3.14.1-1] [MQTT5-3.15.1-1] "
            + "[MQTT5-3.3.1-4] reserved fixed-header flags with other values than Table 2-2's are a Malformed Packet: "
            + "DISCONNECT 0x81, then the close")
    void reservedFlags(String which) {
        byte[] bad = switch (which) {
            case "PUBREL flags 0000" -> packet(RawMqttClient.PUBREL, 0, new byte[] {0, 1});
            case "SUBSCRIBE flags 0000" -> RawMqttClient.withFlags(subscribe5(1, "flags/t", 0), 0);
            case "UNSUBSCRIBE flags 0011" -> RawMqttClient.withFlags(unsubscribe5(1, "flags/t"), 3);
            case "PINGREQ flags 0001" -> packet(RawMqttClient.PINGREQ, 1, new byte[0]);
            case "DISCONNECT flags 1000" -> packet(RawMqttClient.DISCONNECT, 8, new byte[] {0, 0});
            case "AUTH flags 0010" -> packet(RawMqttClient.AUTH, 2, new byte[] {0x19, 0});
            case "PUBACK flags 0010" -> packet(RawMqttClient.PUBACK, 2, new byte[] {0, 1});
            default -> RawMqttClient.withFlags(publish("flags/t", "x", 1, false, 1), 0x06);
        };
        RawMqttClient c = connected("flags");
        c.send(bad);
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x81);
    }

    // ---- 2.2.1 packet identifiers, 2.2.2 properties ------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-2.2.1-2] [MQTT5-4.3.1-1] a QoS 0 PUBLISH from the server has no packet identifier, QoS 0 and "
            + "DUP 0")
    void qos0HasNoPacketId() {
        RawMqttClient sub = connected("qos0-sub");
        subscribe(sub, 1, "qos0/t", 1);
        RawMqttClient pub = connected("qos0-pub");
        pub.send(publish("qos0/t", "zero", 0, false, 0));
        Packet got = sub.expect(PUBLISH, PROMPTLY);
        assertThat(got.qos()).isZero();
        assertThat(got.dup()).isFalse();
        // topic, Property Length 0, payload: nothing in between
        assertThat(got.body()).containsExactly(concat(string("qos0/t"), new byte[] {0}, utf8("zero")));
    }

    @Test
    @DisplayName("[MQTT5-2.2.1-4] [MQTT5-4.3.2-1] [MQTT5-4.3.3-1] the server gives each new QoS 1 and QoS 2 PUBLISH a "
            + "non-zero packet identifier that is not in use")
    void serverPacketIdsAreUnused() {
        RawMqttClient sub = connected("ids-sub");
        subscribe(sub, 1, "ids/#", 2);
        RawMqttClient pub = connected("ids-pub");
        for (int i = 0; i < 6; i++) {
            pub.send(publish("ids/t", "m" + i, 1 + i % 2, false, i + 1));
        }
        List<Integer> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Packet p = sub.expect(PUBLISH, PROMPTLY);
            assertThat(p.qos()).isEqualTo(1 + i % 2);
            ids.add(p.packetId());
        }
        assertThat(ids).doesNotContain(0).doesNotHaveDuplicates();
        // finish two of them; the four still in flight keep their ids, new messages get other ones
        sub.send(RawMqttClient.puback(ids.get(0)));
        sub.send(RawMqttClient.pubrec(ids.get(1)));
        sub.expect(RawMqttClient.PUBREL, PROMPTLY);
        sub.send(RawMqttClient.pubcomp(ids.get(1)));
        for (int i = 0; i < 4; i++) {
            pub.send(publish("ids/t", "n" + i, 1, false, 20 + i));
        }
        for (int i = 0; i < 4; i++) {
            int id = sub.expect(PUBLISH, PROMPTLY).packetId();
            assertThat(id).isNotZero();
            assertThat(ids.subList(2, ids.size())).doesNotContain(id);
            ids.add(id);
        }
        assertThat(ids.subList(2, ids.size())).doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("[MQTT5-2.2.1-6] [MQTT5-3.8.4-2] [MQTT5-3.10.4-5] [MQTT5-2.2.2-1] SUBACK and UNSUBACK carry the "
            + "packet identifier of their SUBSCRIBE and UNSUBSCRIBE, and a Property Length of 0 as they have no "
            + "properties; so does a forwarded PUBLISH that had none")
    void ackIdsAndEmptyProperties() {
        RawMqttClient c = connected("ack-ids");
        c.send(subscribe5(0x1234, "ack-ids/t", 1));
        Packet suback = c.expect(SUBACK, PROMPTLY);
        assertThat(suback.packetId()).isEqualTo(0x1234);
        assertThat(suback.body()[2]).as("Property Length").isZero();
        c.send(unsubscribe5(0xBEEF, "ack-ids/t"));
        Packet unsuback = c.expect(UNSUBACK, PROMPTLY);
        assertThat(unsuback.packetId()).isEqualTo(0xBEEF);
        assertThat(unsuback.body()[2]).as("Property Length").isZero();

        subscribe(c, 7, "ack-ids/p", 0);
        c.send(publish("ack-ids/p", "p", 0, false, 0));
        Packet got = c.expect(PUBLISH, PROMPTLY);
        assertThat(got.body()[2 + "ack-ids/p".length()]).as("Property Length").isZero();
    }

    private static byte[] hex(String s) {
        String[] parts = s.split(" ");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }
}
