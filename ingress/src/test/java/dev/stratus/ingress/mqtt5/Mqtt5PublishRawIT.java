package dev.stratus.ingress.mqtt5;

import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.stratus.ingress.support.Mqtt5Bytes.stringValue;
import static dev.stratus.ingress.support.Mqtt5Bytes.text;
import static dev.stratus.ingress.support.Mqtt5Bytes.u16;
import static dev.stratus.ingress.support.Mqtt5Bytes.u32;
import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawClients.awaitDisconnect;
import static dev.stratus.ingress.support.RawClients.connect5;
import static dev.stratus.ingress.support.RawClients.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.PUBREC;
import static dev.stratus.ingress.support.RawMqttClient.propBinary;
import static dev.stratus.ingress.support.RawMqttClient.propByte;
import static dev.stratus.ingress.support.RawMqttClient.propString;
import static dev.stratus.ingress.support.RawMqttClient.propU16;
import static dev.stratus.ingress.support.RawMqttClient.propU32;
import static dev.stratus.ingress.support.RawMqttClient.propVbi;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static dev.stratus.ingress.support.RawMqttClient.userProperty;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5 PUBLISH as raw packets: properties, topic aliases, expiry, reason codes and flow control. */
class Mqtt5PublishRawIT extends Mqtt5RawTestBase {

    private static final Duration QUIET = Duration.ofMillis(200);

    @Test
    @DisplayName("[MQTT5-3.3.2-4] [MQTT5-3.3.2-15..20] properties are forwarded unchanged, user properties in their order; "
            + "a 3.1.1 subscriber gets the message without them")
    void propertiesForwardedInOrder() {
        RawMqttClient sub5 = connected("sub5");
        subscribe(sub5, 1, "props/t", 1);
        RawMqttClient sub3 = connected(RawMqttClient.connectPacket("sub3"));
        sub3.subscribeAndAwait(1, "props/t", 1);
        RawMqttClient pub = connected("pub");
        byte[] properties = props(propByte(0x01, 1), propString(0x03, "text/plain"),
                propString(0x08, "reply/here"), propBinary(0x09, new byte[] {1, 2, 3}),
                userProperty("k", "first"), userProperty("a", "second"), userProperty("k", "third"));
        pub.send(publish5("props/t", utf8("héllo"), 1, false, 7, properties));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isZero();

        Packet got = sub5.expect(PUBLISH, PROMPTLY);
        assertThat(got.topic()).isEqualTo("props/t");
        assertThat(text(got.payload5())).isEqualTo("héllo");
        List<byte[][]> list = got.propertyList();
        assertThat(list).extracting(p -> p[0][0] & 0xFF).containsExactly(0x01, 0x03, 0x08, 0x09, 0x26, 0x26, 0x26);
        assertThat(stringValue(list.get(1)[1])).isEqualTo("text/plain");
        assertThat(stringValue(list.get(2)[1])).isEqualTo("reply/here");
        assertThat(list.get(3)[1]).containsExactly(0, 3, 1, 2, 3);
        assertThat(text(list.get(4)[1])).contains("k").contains("first");
        assertThat(text(list.get(5)[1])).contains("a").contains("second");
        assertThat(text(list.get(6)[1])).contains("k").contains("third");

        Packet plain = sub3.expect(PUBLISH, PROMPTLY);
        assertThat(plain.payloadText()).isEqualTo("héllo"); // 3.1.1 layout: no property length in front
    }

    @Test
    @DisplayName("3.1.1 publishers' messages reach MQTT 5 subscribers, with an empty property section")
    void mqtt311PublisherToMqtt5Subscriber() {
        RawMqttClient sub5 = connected("sub5-from-3");
        subscribe(sub5, 1, "mix/t", 0);
        RawMqttClient pub3 = connected(RawMqttClient.connectPacket("pub3"));
        pub3.send(RawMqttClient.publish("mix/t", "from 3.1.1"));
        Packet got = sub5.expect(PUBLISH, PROMPTLY);
        assertThat(got.propertyList()).isEmpty();
        assertThat(text(got.payload5())).isEqualTo("from 3.1.1");
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-12] a topic alias set with a topic is used with an empty topic")
    void inboundTopicAlias() {
        RawMqttClient sub = connected("alias-sub");
        subscribe(sub, 1, "alias/#", 0);
        RawMqttClient pub = connected("alias-pub");
        pub.send(publish5("alias/one", utf8("1"), 0, false, 0, props(propU16(0x23, 2))));
        pub.send(publish5("", utf8("2"), 0, false, 0, props(propU16(0x23, 2))));
        pub.send(publish5("alias/two", utf8("3"), 0, false, 0, props(propU16(0x23, 2)))); // re-map alias 2
        pub.send(publish5("", utf8("4"), 0, false, 0, props(propU16(0x23, 2))));
        assertThat(List.of(sub.expect(PUBLISH, PROMPTLY), sub.expect(PUBLISH, PROMPTLY), sub.expect(PUBLISH, PROMPTLY),
                sub.expect(PUBLISH, PROMPTLY))).extracting(p -> p.topic() + "=" + text(p.payload5()))
                .containsExactly("alias/one=1", "alias/one=2", "alias/two=3", "alias/two=4");
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-8] topic alias 0 is a Topic Alias invalid: DISCONNECT 0x94")
    void topicAliasZero() {
        RawMqttClient pub = connected("alias-0");
        pub.send(publish5("a/b", utf8("x"), 0, false, 0, props(propU16(0x23, 0))));
        assertThat(awaitDisconnect(pub).reasonCode()).isEqualTo(0x94);
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-9] a topic alias above the Topic Alias Maximum: DISCONNECT 0x94")
    void topicAliasAboveMaximum() {
        RawMqttClient pub = connected("alias-big");
        pub.send(publish5("a/b", utf8("x"), 0, false, 0, props(propU16(0x23, TOPIC_ALIAS_MAXIMUM + 1))));
        assertThat(awaitDisconnect(pub).reasonCode()).isEqualTo(0x94);
    }

    @Test
    @DisplayName("an empty topic with an alias that was never set is a protocol error: DISCONNECT 0x82")
    void unknownTopicAlias() {
        RawMqttClient pub = connected("alias-unknown");
        pub.send(publish5("", utf8("x"), 1, false, 1, props(propU16(0x23, 1))));
        assertThat(awaitDisconnect(pub).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("(section 2.2.2.2) a property other than User Property given twice: DISCONNECT 0x82")
    void duplicateProperty() {
        RawMqttClient pub = connected("dup-prop");
        pub.send(publish5("a/b", utf8("x"), 1, false, 1, props(propU32(0x02, 10), propU32(0x02, 20))));
        assertThat(awaitDisconnect(pub).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("section 2.2.2.2: a property not valid in PUBLISH (Session Expiry Interval): DISCONNECT 0x81")
    void propertyNotValidInPublish() {
        RawMqttClient pub = connected("wrong-prop");
        pub.send(publish5("a/b", utf8("x"), 1, false, 1, props(propU32(0x11, 10))));
        assertThat(awaitDisconnect(pub).reasonCode()).isEqualTo(0x81);
    }

    @Test
    @DisplayName("section 2.2.2.2: a reserved property identifier (0x7F): DISCONNECT 0x81")
    void reservedPropertyId() {
        RawMqttClient pub = connected("reserved-prop");
        pub.send(publish5("a/b", utf8("x"), 0, false, 0, props(new byte[] {0x7F, 0})));
        assertThat(awaitDisconnect(pub).reasonCode()).isEqualTo(0x81);
    }

    @Test
    @DisplayName("a Property Length that runs past the packet: DISCONNECT 0x81")
    void propertiesPastTheEnd() {
        RawMqttClient pub = connected("long-props");
        byte[] packet = RawMqttClient.packet(PUBLISH, 0, RawMqttClient.concat(
                RawMqttClient.string("a/b"), new byte[] {0x20, 0x02, 0x00, 0x01}));
        pub.send(packet);
        assertThat(awaitDisconnect(pub).reasonCode()).isEqualTo(0x81);
    }

    @Test
    @DisplayName("[MQTT5-3.3.4-6] a PUBLISH from a client with a Subscription Identifier: DISCONNECT 0x82")
    void subscriptionIdentifierFromClient() {
        RawMqttClient pub = connected("sub-id-pub");
        pub.send(publish5("a/b", utf8("x"), 0, false, 0, props(propVbi(0x0B, 5))));
        assertThat(awaitDisconnect(pub).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-15] a packet larger than the server's Maximum Packet Size: DISCONNECT 0x95")
    void packetTooLarge() {
        RawMqttClient pub = connected("too-big");
        pub.send(publish5("a/b", new byte[MAX_PACKET_SIZE + 10], 0, false, 0, props()));
        assertThat(awaitDisconnect(pub).reasonCode()).isEqualTo(0x95);
    }

    @Test
    @DisplayName("[MQTT5-3.3.4-7] more unacknowledged QoS 2 messages than the Receive Maximum: DISCONNECT 0x93")
    void receiveMaximumExceeded() {
        RawMqttClient pub = connected("greedy");
        for (int id = 1; id <= RECEIVE_MAXIMUM; id++) {
            pub.send(publish5("rm/t", utf8("m" + id), 2, false, id, props()));
            assertThat(pub.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(id);
        }
        pub.send(publish5("rm/t", utf8("one too many"), 2, false, RECEIVE_MAXIMUM + 1, props()));
        assertThat(awaitDisconnect(pub).reasonCode()).isEqualTo(0x93);
    }

    @Test
    @DisplayName("[MQTT5-3.3.4-7] releasing QoS 2 messages with PUBREL makes room again")
    void receiveMaximumFreedByPubrel() {
        RawMqttClient pub = connected("polite");
        for (int id = 1; id <= 3 * RECEIVE_MAXIMUM; id++) {
            pub.send(publish5("rm/t", utf8("m" + id), 2, false, id, props()));
            pub.expect(PUBREC, PROMPTLY);
            pub.send(RawMqttClient.pubrel(id));
            pub.expect(RawMqttClient.PUBCOMP, PROMPTLY);
        }
    }

    @Test
    @DisplayName("section 3.4.2.1: PUBACK 0x10 when no subscription matched; PUBREC too")
    void noMatchingSubscribers() {
        RawMqttClient pub = connected("lonely");
        pub.send(publish5("nobody/listens", utf8("x"), 1, false, 1, props()));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isEqualTo(0x10);
        pub.send(publish5("nobody/listens", utf8("x"), 2, false, 2, props()));
        assertThat(pub.expect(PUBREC, PROMPTLY).reasonCode()).isEqualTo(0x10);
    }

    @Test
    @DisplayName("section 3.4.2.1: PUBACK 0x87 when not authorized; the message is not delivered")
    void notAuthorized() {
        RawMqttClient watcher = connected("watcher");
        subscribe(watcher, 1, "#", 0);
        RawMqttClient pub = connected("denied");
        pub.send(publish5("forbidden/x", utf8("x"), 1, false, 1, props()));
        Packet ack = pub.expect(PUBACK, PROMPTLY);
        assertThat(ack.reasonCode()).isEqualTo(0x87);
        assertThat(stringValue(ack.properties5().get(0x1F))).as("reason string").isEqualTo("not authorized");
        watcher.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-29] with Request Problem Information 0 no reason string is sent on PUBACK")
    void noReasonStringWithoutProblemInformation() {
        RawMqttClient pub = connected(connect5("quiet", propByte(0x17, 0)));
        pub.send(publish5("forbidden/x", utf8("x"), 1, false, 1, props()));
        Packet ack = pub.expect(PUBACK, PROMPTLY);
        assertThat(ack.reasonCode()).isEqualTo(0x87);
        assertThat(ack.body()).hasSize(4); // id, reason code, empty properties
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-4] section 3.3.2.3.2: Payload Format Indicator 1 with a payload that is not UTF-8: PUBACK 0x99, "
            + "not delivered")
    void payloadFormatInvalid() {
        RawMqttClient watcher = connected("pfi-watcher");
        subscribe(watcher, 1, "pfi/#", 0);
        RawMqttClient pub = connected("pfi");
        pub.send(publish5("pfi/t", new byte[] {(byte) 0xC3, 0x28}, 1, false, 1, props(propByte(0x01, 1))));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isEqualTo(0x99);
        watcher.assertNoPacket(QUIET);
        pub.send(publish5("pfi/t", utf8("ok ✓"), 1, false, 2, props(propByte(0x01, 1))));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isZero();
        assertThat(text(watcher.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("ok ✓");
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-5] [MQTT5-3.3.2-6] an expired message is not delivered; the remaining interval is "
            + "sent on forward")
    void messageExpiry() {
        RawMqttClient sub = connected(connect5("expiring", propU32(0x11, 600)));
        subscribe(sub, 1, "exp/t", 1);
        sub.disconnect();
        // offline for sure before publishing: a message sent to the live connection has started its delivery,
        // and is re-sent on resume whatever its expiry [MQTT5-3.3.2-5]
        dev.stratus.state.model.SessionKey subKey =
                new dev.stratus.state.model.SessionKey(dev.stratus.state.model.TenantId.DEFAULT, "expiring");
        org.awaitility.Awaitility.await("subscriber offline").atMost(PROMPTLY)
                .until(() -> broker.broker().sessions().get(subKey).connection() == null);
        RawMqttClient pub = connected("exp-pub");
        pub.send(publish5("exp/t", utf8("short"), 1, false, 1, props(propU32(0x02, 5))));
        pub.expect(PUBACK, PROMPTLY);
        pub.send(publish5("exp/t", utf8("long"), 1, false, 2, props(propU32(0x02, 100))));
        pub.expect(PUBACK, PROMPTLY);
        clock.addAndGet(10_000);
        long droppedBefore = broker.broker().stats().dropped(DropReason.EXPIRED);

        RawMqttClient back = connected(RawMqttClient.connectPacket("expiring").cleanSession(false)
                .v5(propU32(0x11, 600)));
        Packet got = back.expect(PUBLISH, PROMPTLY);
        assertThat(text(got.payload5())).isEqualTo("long");
        assertThat(u32(got.properties5().get(0x02))).as("remaining expiry").isEqualTo(90);
        back.assertNoPacket(QUIET);
        assertThat(broker.broker().stats().dropped(DropReason.EXPIRED)).isEqualTo(droppedBefore + 1);
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-26] [MQTT5-3.3.2-12] the broker uses topic aliases within the client's maximum")
    void outboundTopicAliases() {
        RawMqttClient sub = connected(connect5("alias-out", propU16(0x22, 1)));
        subscribe(sub, 1, "out/#", 0);
        RawMqttClient pub = connected("alias-out-pub");
        pub.send(RawMqttClient.publish5("out/a", utf8("1"), 0, false, 0, props()));
        pub.send(RawMqttClient.publish5("out/a", utf8("2"), 0, false, 0, props()));
        pub.send(RawMqttClient.publish5("out/b", utf8("3"), 0, false, 0, props()));
        Packet first = sub.expect(PUBLISH, PROMPTLY);
        assertThat(first.topic()).isEqualTo("out/a");
        assertThat(u16(first.properties5().get(0x23))).isEqualTo(1);
        Packet second = sub.expect(PUBLISH, PROMPTLY);
        assertThat(second.topic()).as("topic left out: the alias stands for it").isEmpty();
        assertThat(u16(second.properties5().get(0x23))).isEqualTo(1);
        Packet third = sub.expect(PUBLISH, PROMPTLY);
        assertThat(third.topic()).as("no alias left for a second topic").isEqualTo("out/b");
        assertThat(third.properties5()).doesNotContainKey(0x23);
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-27] no topic aliases towards a client that did not allow them")
    void noOutboundAliasesByDefault() {
        RawMqttClient sub = connected("no-alias");
        subscribe(sub, 1, "na/#", 0);
        RawMqttClient pub = connected("no-alias-pub");
        pub.send(RawMqttClient.publish5("na/a", utf8("1"), 0, false, 0, props()));
        pub.send(RawMqttClient.publish5("na/a", utf8("2"), 0, false, 0, props()));
        assertThat(sub.expect(PUBLISH, PROMPTLY).topic()).isEqualTo("na/a");
        Packet second = sub.expect(PUBLISH, PROMPTLY);
        assertThat(second.topic()).isEqualTo("na/a");
        assertThat(second.properties5()).doesNotContainKey(0x23);
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-25] a message larger than the client's Maximum Packet Size is not sent to it, and "
            + "counted")
    void clientMaximumPacketSize() {
        RawMqttClient sub = connected(connect5("small-mps", propU32(0x27, 64)));
        subscribe(sub, 1, "mps/#", 1);
        RawMqttClient big = connected("mps-big-sub");
        subscribe(big, 1, "mps/#", 1);
        long before = broker.broker().stats().dropped(DropReason.TOO_LARGE);
        RawMqttClient pub = connected("mps-pub");
        pub.send(publish5("mps/t", new byte[200], 1, false, 1, props()));
        pub.send(publish5("mps/t", utf8("small"), 1, false, 2, props()));
        Packet got = sub.expect(PUBLISH, PROMPTLY);
        assertThat(text(got.payload5())).isEqualTo("small");
        assertThat(got.packetId()).as("the dropped message took no packet id").isEqualTo(1);
        assertThat(big.expect(PUBLISH, PROMPTLY).payload5()).hasSize(200);
        assertThat(broker.broker().stats().dropped(DropReason.TOO_LARGE)).isEqualTo(before + 1);
    }

    @Test
    @DisplayName("[MQTT5-3.3.4-9] the broker sends no more unacknowledged QoS 1 messages than the client's Receive "
            + "Maximum")
    void clientReceiveMaximum() {
        RawMqttClient sub = connected(connect5("slow-acker", propU16(0x21, 2)));
        subscribe(sub, 1, "rmc/t", 1);
        RawMqttClient pub = connected("rmc-pub");
        for (int i = 1; i <= 5; i++) {
            pub.send(publish5("rmc/t", utf8("m" + i), 1, false, i, props()));
        }
        Packet a = sub.expect(PUBLISH, PROMPTLY);
        Packet b = sub.expect(PUBLISH, PROMPTLY);
        sub.assertNoPacket(QUIET);
        sub.send(RawMqttClient.puback(a.packetId()));
        assertThat(text(sub.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("m3");
        sub.assertNoPacket(QUIET);
        assertThat(text(b.payload5())).isEqualTo("m2");
    }
}
