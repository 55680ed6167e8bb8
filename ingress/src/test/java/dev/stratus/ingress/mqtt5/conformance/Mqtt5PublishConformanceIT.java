package dev.stratus.ingress.mqtt5.conformance;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static dev.stratus.ingress.support.Mqtt5Bytes.text;
import static dev.stratus.ingress.support.Mqtt5Bytes.u16;
import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawClients.connect5;
import static dev.stratus.ingress.support.RawClients.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.PINGRESP;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBCOMP;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.PUBREC;
import static dev.stratus.ingress.support.RawMqttClient.SUBACK;
import static dev.stratus.ingress.support.RawMqttClient.concat;
import static dev.stratus.ingress.support.RawMqttClient.lengthPrefixed;
import static dev.stratus.ingress.support.RawMqttClient.propString;
import static dev.stratus.ingress.support.RawMqttClient.propU16;
import static dev.stratus.ingress.support.RawMqttClient.propU32;
import static dev.stratus.ingress.support.RawMqttClient.propVbi;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MQTT 5.0 section 3.3 (PUBLISH: flags, retained messages, topic names and aliases, responses), 4.5 (receipt), 4.6
 * (ordering) and 4.7 (topic names and filters) over raw MQTT 5 connections.
 */
class Mqtt5PublishConformanceIT extends Mqtt5ConformanceTestBase {

    // ---- 3.3.1 flags ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-3.3.1-2] [MQTT5-3.3.1-3] the DUP flag of a forwarded PUBLISH is the server's own: 0 on a first "
            + "delivery although the incoming PUBLISH had DUP 1, and 0 for QoS 0")
    void dupIsSetIndependently() {
        RawMqttClient sub1 = connected("dup-sub1");
        subscribe(sub1, 1, "dup/t", 1);
        RawMqttClient sub0 = connected("dup-sub0");
        subscribe(sub0, 1, "dup/t", 0);
        RawMqttClient pub = connected("dup-pub");
        pub.send(RawMqttClient.withFlags(publish("dup/t", "dup", 1, false, 4), 0x08 | 0x02));
        pub.expect(PUBACK, PROMPTLY);
        Packet q1 = sub1.expect(PUBLISH, PROMPTLY);
        assertThat(q1.qos()).isEqualTo(1);
        assertThat(q1.dup()).isFalse();
        Packet q0 = sub0.expect(PUBLISH, PROMPTLY);
        assertThat(q0.qos()).isZero();
        assertThat(q0.dup()).isFalse();
    }

    // ---- retained messages ------------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-3.3.1-5] [MQTT5-3.3.1-8] RETAIN 1 stores the message, replacing the one before; RETAIN 0 "
            + "neither stores nor replaces nor removes it")
    void retainReplacesAndRetainZeroLeavesAlone() {
        RawMqttClient pub = connected("ret-pub");
        pub.send(publish("ret/t", "first", 1, true, 1));
        pub.expect(PUBACK, PROMPTLY);
        pub.send(publish("ret/t", "second", 1, true, 2));
        pub.expect(PUBACK, PROMPTLY);
        pub.send(publish("ret/t", "not retained", 1, false, 3));
        pub.expect(PUBACK, PROMPTLY);
        RawMqttClient late = connected("ret-late");
        late.send(subscribe5(1, "ret/t", 1));
        late.expect(SUBACK, PROMPTLY);
        Packet got = late.expect(PUBLISH, PROMPTLY);
        assertThat(got.retain()).isTrue();
        assertThat(text(got.payload5())).isEqualTo("second");
        late.assertNoPacket(QUIET);
        pub.send(publish("ret/t", "", 0, true, 0));
    }

    @Test
    @DisplayName("[MQTT5-3.3.1-6] [MQTT5-3.3.1-7] RETAIN 1 with an empty payload is delivered to current subscribers as "
            + "usual, removes the retained message, and is not stored itself")
    void emptyRetainedRemoves() {
        RawMqttClient pub = connected("ret0-pub");
        pub.send(publish("ret0/t", "kept", 1, true, 1));
        pub.expect(PUBACK, PROMPTLY);
        RawMqttClient current = connected("ret0-current");
        current.send(subscribe5(1, "ret0/t", 0x08 | 1));
        current.expect(SUBACK, PROMPTLY);
        assertThat(text(current.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("kept");
        current.send(RawMqttClient.puback(1));

        pub.send(publish("ret0/t", "", 1, true, 2));
        pub.expect(PUBACK, PROMPTLY);
        Packet delivered = current.expect(PUBLISH, PROMPTLY);
        assertThat(delivered.payload5()).isEmpty();
        assertThat(delivered.retain()).as("Retain As Published").isTrue();

        RawMqttClient late = connected("ret0-late");
        late.send(subscribe5(1, "ret0/#", 1));
        late.expect(SUBACK, PROMPTLY);
        late.assertNoPacket(QUIET);
    }

    // ---- 3.3.2 topic names, aliases, response topic -----------------------------------------------------------------

    @ParameterizedTest(name = "topic \"{0}\"")
    @ValueSource(strings = {"wild/#", "wild/+/x", "+", "#"})
    @DisplayName("[MQTT5-3.3.2-2] [MQTT5-4.7.0-1] a topic name with a wildcard: DISCONNECT 0x81 (Malformed Packet) or "
            + "0x90 (Topic Name invalid), not delivered")
    void wildcardInTopicName(String topic) {
        RawMqttClient watcher = connected("wild-watcher");
        subscribe(watcher, 1, "wild/#", 0);
        RawMqttClient c = connected("wild-pub");
        c.send(publish(topic, "x", 1, false, 1));
        assertThat(awaitDisconnect(c).reasonCode()).isIn(0x81, 0x90);
        watcher.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-4.7.3-1] an empty topic name without a Topic Alias: DISCONNECT, then the close")
    void emptyTopicName() {
        RawMqttClient c = connected("empty-topic");
        c.send(publish("", "x", 1, false, 1));
        assertThat(awaitDisconnect(c).reasonCode()).as("Protocol Error or Topic Name invalid").isIn(0x82, 0x90);
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-3] the topic name the server sends is the one published, which matches the subscriber's "
            + "filter")
    void topicNameMatchesFilter() {
        RawMqttClient sub = connected("match-sub");
        subscribe(sub, 1, "match/+/x/#", 0);
        RawMqttClient pub = connected("match-pub");
        pub.send(publish("match/a/x", "1", 0, false, 0));
        pub.send(publish("match/b/y", "no", 0, false, 0));
        pub.send(publish("match/c/x/d/e", "2", 0, false, 0));
        assertThat(sub.expect(PUBLISH, PROMPTLY).topic()).isEqualTo("match/a/x");
        assertThat(sub.expect(PUBLISH, PROMPTLY).topic()).isEqualTo("match/c/x/d/e");
        sub.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-7] topic aliases do not outlive the connection: an alias the client set before is "
            + "unknown after it reconnects (DISCONNECT 0x82), and the server sets its own aliases anew")
    void aliasesDoNotCarryOver() {
        RawMqttClient sub = connected(resume5("alias-cf-sub", propU32(0x11, 60), propU16(0x22, 2)));
        subscribe(sub, 1, "alias-cf/t", 0);
        RawMqttClient pub = connected("alias-cf-pub");
        pub.send(publish5("alias-cf/t", utf8("1"), 0, false, 0, props(propU16(0x23, 1))));
        Packet first = sub.expect(PUBLISH, PROMPTLY);
        assertThat(first.topic()).isEqualTo("alias-cf/t");
        assertThat(u16(first.properties5().get(0x23))).isEqualTo(1);
        pub.send(publish5("", utf8("2"), 0, false, 0, props(propU16(0x23, 1))));
        assertThat(sub.expect(PUBLISH, PROMPTLY).topic()).as("alias in use").isEmpty();
        sub.close();
        pub.close();

        RawMqttClient sub2 = connected(resume5("alias-cf-sub", propU32(0x11, 60), propU16(0x22, 2)));
        RawMqttClient pub2 = connected("alias-cf-pub");
        pub2.send(publish("alias-cf/t", "3", 0, false, 0));
        Packet again = sub2.expect(PUBLISH, PROMPTLY);
        assertThat(again.topic()).as("a new connection gets the topic name, not an old alias").isEqualTo("alias-cf/t");
        pub2.send(publish5("", utf8("4"), 0, false, 0, props(propU16(0x23, 1))));
        assertThat(awaitDisconnect(pub2).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-11] [MQTT5-3.1.2-26] the server's topic aliases stay within 1 and the client's Topic "
            + "Alias Maximum, over many topics")
    void serverAliasesWithinClientMaximum() {
        RawMqttClient sub = connected(connect5("alias-max-sub", propU16(0x22, 2)));
        subscribe(sub, 1, "alias-max/#", 0);
        RawMqttClient pub = connected("alias-max-pub");
        for (int round = 0; round < 2; round++) {
            for (int t = 0; t < 5; t++) {
                pub.send(publish("alias-max/" + t, "x", 0, false, 0));
            }
        }
        for (int i = 0; i < 10; i++) {
            Packet p = sub.expect(PUBLISH, PROMPTLY);
            byte[] alias = p.properties5().get(0x23);
            if (alias != null) {
                assertThat(u16(alias)).isBetween(1, 2);
            }
        }
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-13] [MQTT5-1.5.4-1] a Response Topic that is not well-formed UTF-8: DISCONNECT 0x81")
    void responseTopicNotUtf8() {
        RawMqttClient c = connected("resp-utf8");
        c.send(publish5("resp/t", utf8("x"), 1, false, 1,
                props(concat(new byte[] {0x08}, lengthPrefixed(new byte[] {'r', (byte) 0xC0, (byte) 0xAF})))));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x81);
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-14] a Response Topic with a wildcard: DISCONNECT 0x82")
    void responseTopicWithWildcard() {
        RawMqttClient c = connected("resp-wild");
        c.send(publish5("resp/t", utf8("x"), 1, false, 1, props(propString(0x08, "reply/#"))));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x82);
    }

    // ---- 3.3.4 responses, Subscription Identifiers, flow control -----------------------------------------------------

    @Test
    @DisplayName("[MQTT5-3.3.4-1] the server answers PUBLISH QoS 0 with nothing, QoS 1 with PUBACK, QoS 2 with PUBREC")
    void responseByQos() {
        RawMqttClient c = connected("resp-qos");
        c.send(publish("resp-qos/t", "0", 0, false, 0));
        c.send(RawMqttClient.pingreq());
        c.expect(PINGRESP, PROMPTLY); // nothing came before it
        c.send(publish("resp-qos/t", "1", 1, false, 11));
        assertThat(c.expect(PUBACK, PROMPTLY).packetId()).isEqualTo(11);
        c.send(publish("resp-qos/t", "2", 2, false, 12));
        assertThat(c.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(12);
        c.send(RawMqttClient.pubrel(12));
        assertThat(c.expect(PUBCOMP, PROMPTLY).packetId()).isEqualTo(12);
    }

    @Test
    @DisplayName("[MQTT5-3.3.4-5] when the server sends a message twice to a client (a shared and a non-shared "
            + "subscription), each PUBLISH carries the Subscription Identifier of its own subscription")
    void separateCopiesCarryTheirOwnIdentifier() {
        RawMqttClient sub = connected("sid-copies");
        subscribe(sub, 1, "$share/sidg/sid/t", 0, propVbi(0x0B, 5));
        subscribe(sub, 2, "sid/t", 0, propVbi(0x0B, 7));
        RawMqttClient pub = connected("sid-pub");
        pub.send(publish("sid/t", "x", 0, false, 0));
        List<List<Integer>> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Packet p = sub.expect(PUBLISH, PROMPTLY);
            ids.add(p.propertyList().stream().filter(x -> (x[0][0] & 0xFF) == 0x0B).map(x -> x[1][0] & 0x7F).toList());
        }
        assertThat(ids).containsExactlyInAnyOrder(List.of(5), List.of(7));
        sub.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-3.3.4-10] [MQTT5-4.9.0-1] [MQTT5-4.9.0-2] [MQTT5-4.9.0-3] with the client's Receive Maximum "
            + "used up the server sends no more QoS 1 PUBLISH, but still answers PINGREQ, SUBSCRIBE and UNSUBSCRIBE and "
            + "sends QoS 0 messages")
    void otherPacketsNotDelayedBySendQuota() {
        RawMqttClient sub = connected(connect5("quota-sub", propU16(0x21, 1)));
        subscribe(sub, 1, "quota/q1", 1);
        subscribe(sub, 2, "quota/q0", 0);
        RawMqttClient pub = connected("quota-pub");
        pub.send(publish("quota/q1", "a", 1, false, 1));
        pub.send(publish("quota/q1", "b", 1, false, 2));
        Packet a = sub.expect(PUBLISH, PROMPTLY);
        assertThat(text(a.payload5())).isEqualTo("a");
        sub.assertNoPacket(QUIET); // quota 0: "b" waits
        sub.send(RawMqttClient.pingreq());
        sub.expect(PINGRESP, PROMPTLY);
        sub.send(subscribe5(3, "quota/other", 1));
        assertThat(sub.expect(SUBACK, PROMPTLY).packetId()).isEqualTo(3);
        sub.send(unsubscribe5(4, "quota/other"));
        assertThat(sub.expect(RawMqttClient.UNSUBACK, PROMPTLY).packetId()).isEqualTo(4);
        pub.send(publish("quota/q0", "zero", 0, false, 0));
        assertThat(text(sub.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("zero");
        sub.send(RawMqttClient.puback(a.packetId()));
        assertThat(text(sub.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("b");
    }

    // ---- 4.5 receipt, 4.6 ordering ------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-4.5.0-1] [MQTT5-3.1.2-23] a message the server accepted goes to every session with a matching "
            + "subscription, connected or not")
    void messageAddedToEveryMatchingSession() {
        RawMqttClient online = connected("recv-online");
        subscribe(online, 1, "recv/+", 1);
        RawMqttClient offline = connected(resume5("recv-offline", propU32(0x11, 60)));
        subscribe(offline, 1, "recv/#", 1);
        offline.close();
        RawMqttClient pub = connected("recv-pub");
        pub.send(publish("recv/t", "for both", 1, false, 1));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isZero();
        assertThat(text(online.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("for both");
        RawMqttClient back = connected(resume5("recv-offline", propU32(0x11, 60)));
        assertThat(text(back.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("for both");
    }

    @Test
    @DisplayName("[MQTT5-4.6.0-5] [MQTT5-4.6.0-6] every topic is ordered: a subscriber gets one publisher's messages "
            + "in the order they were sent, per QoS and across QoS levels")
    void orderedTopics() {
        RawMqttClient sub = connected("order-sub");
        subscribe(sub, 1, "order/#", 2);
        RawMqttClient pub = connected("order-pub");
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int qos = i % 3;
            String payload = "m" + i;
            sent.add(payload);
            pub.send(publish("order/" + (i % 2), payload, qos, false, qos == 0 ? 0 : i + 1));
            if (qos == 1) {
                pub.expect(PUBACK, PROMPTLY);
            } else if (qos == 2) {
                pub.expect(PUBREC, PROMPTLY);
                pub.send(RawMqttClient.pubrel(i + 1));
                pub.expect(PUBCOMP, PROMPTLY);
            }
        }
        List<String> got = new ArrayList<>();
        while (got.size() < sent.size()) {
            Packet p = sub.readPacket(PROMPTLY);
            if (p.type() == RawMqttClient.PUBREL) {
                sub.send(RawMqttClient.pubcomp(p.packetId()));
                continue;
            }
            assertThat(p.type()).isEqualTo(PUBLISH);
            got.add(text(p.payload5()));
            if (p.qos() == 1) {
                sub.send(RawMqttClient.puback(p.packetId()));
            } else if (p.qos() == 2) {
                sub.send(RawMqttClient.pubrec(p.packetId()));
            }
        }
        assertThat(got).containsExactlyElementsOf(sent);
    }

    // ---- 4.7 topic names and filters ----------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-4.7.1-1] [MQTT5-4.7.1-2] [MQTT5-3.8.4-7] wildcards: '#' last and alone in its level, '+' alone "
            + "in its level, else SUBACK 0x8F; valid ones match as specified")
    void wildcardRules() {
        RawMqttClient c = connected("wild-rules");
        c.send(subscribe5(1, "a/#/b", 0, "a/b#", 0, "a+/b", 0, "a/+b", 0, "wr/+", 0, "wr/+/+", 0, "w/+/#", 0, "w/#", 0));
        assertThat(c.expect(SUBACK, PROMPTLY).reasonCodes5()).containsExactly(0x8F, 0x8F, 0x8F, 0x8F, 0, 0, 0, 0);
        c.send(unsubscribe5(2, "wr/+", "wr/+/+"));
        c.expect(RawMqttClient.UNSUBACK, PROMPTLY);
        RawMqttClient pub = connected("wild-rules-pub");
        pub.send(publish("w", "parent", 0, false, 0)); // 'w/#' matches the parent level too
        pub.send(publish("w/x/y/z", "deep", 0, false, 0));
        List<String> got = new ArrayList<>();
        got.add(text(c.expect(PUBLISH, PROMPTLY).payload5()));
        got.add(text(c.expect(PUBLISH, PROMPTLY).payload5()));
        // "w/x/y/z" matches both 'w/+/#' and 'w/#': one copy
        assertThat(got).containsExactly("parent", "deep");
        c.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-4.7.2-1] filters starting with a wildcard do not match topic names starting with '$'; a "
            + "filter starting with '$' does")
    void dollarTopics() {
        RawMqttClient all = connected("dollar-all");
        subscribe(all, 1, "#", 0);
        subscribe(all, 2, "+/x", 0);
        RawMqttClient dollar = connected("dollar-own");
        subscribe(dollar, 1, "$app/#", 0);
        RawMqttClient pub = connected("dollar-pub");
        pub.send(publish("$app/x", "dollar", 1, false, 1));
        pub.expect(PUBACK, PROMPTLY);
        assertThat(dollar.expect(PUBLISH, PROMPTLY).topic()).isEqualTo("$app/x");
        all.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-4.7.3-4] topics are matched as they are: no case folding, no Unicode normalization, no "
            + "trimming of slashes or spaces")
    void noNormalization() {
        RawMqttClient sub = connected("norm-sub");
        subscribe(sub, 1, "norm/caf\u00E9", 0);
        subscribe(sub, 2, "norm/Case", 0);
        subscribe(sub, 3, "norm/x", 0);
        RawMqttClient pub = connected("norm-pub");
        pub.send(publish("norm/cafe\u0301", "decomposed", 0, false, 0));
        pub.send(publish("norm/case", "lower", 0, false, 0));
        pub.send(publish("norm/x/", "slash", 0, false, 0));
        pub.send(publish("norm/x ", "space", 0, false, 0));
        pub.send(publish("norm/caf\u00E9", "exact", 0, false, 0));
        Packet got = sub.expect(PUBLISH, PROMPTLY);
        assertThat(text(got.payload5())).isEqualTo("exact");
        assertThat(got.topic()).isEqualTo("norm/caf\u00E9");
        sub.assertNoPacket(QUIET);
    }
}
