package dev.stratus.ingress.mqtt5.conformance;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.stratus.ingress.support.Mqtt5Bytes.text;
import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawClients.connect5;
import static dev.stratus.ingress.support.RawClients.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBCOMP;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.PUBREC;
import static dev.stratus.ingress.support.RawMqttClient.PUBREL;
import static dev.stratus.ingress.support.RawMqttClient.ack5;
import static dev.stratus.ingress.support.RawMqttClient.propByte;
import static dev.stratus.ingress.support.RawMqttClient.propU32;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MQTT 5.0 sections 3.4 to 3.7 (PUBACK, PUBREC, PUBREL, PUBCOMP), 4.1 (session state), 4.3 (QoS flows), 4.4
 * (retry on reconnect) and 4.8.2 (shared subscriptions) over raw MQTT 5 connections.
 */
class Mqtt5FlowConformanceIT extends Mqtt5ConformanceTestBase {

    /** A persistent session for 60 s. */
    private static RawMqttClient.Connect persistent(String id) {
        return resume5(id, propU32(0x11, 60));
    }

    // ---- acknowledgements from the server ----------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-2.2.1-5] [MQTT5-4.3.2-4] [MQTT5-4.3.3-8] [MQTT5-4.3.3-11] [MQTT5-3.4.2-1] [MQTT5-3.5.2-1] "
            + "[MQTT5-3.7.2-1] PUBACK, PUBREC and PUBCOMP carry the packet identifier of the client's PUBLISH and "
            + "PUBREL, and reason codes of their tables")
    void serverAcknowledgementsCarryTheIds() {
        RawMqttClient sub = connected("ackid-sub");
        subscribe(sub, 1, "ackid/t", 0);
        RawMqttClient c = connected(connect5("ackid-pub"));
        List<Integer> codes = new ArrayList<>();
        c.send(publish("ackid/t", "1", 1, false, 0x1234));
        Packet puback = c.expect(PUBACK, PROMPTLY);
        assertThat(puback.packetId()).isEqualTo(0x1234);
        codes.add(puback.reasonCode());
        c.send(publish("ackid/none", "1", 1, false, 0x00FF));
        Packet noMatch = c.expect(PUBACK, PROMPTLY);
        assertThat(noMatch.packetId()).isEqualTo(0x00FF);
        codes.add(noMatch.reasonCode());
        c.send(publish("forbidden/ackid", "1", 1, false, 0xFFFF));
        Packet denied = c.expect(PUBACK, PROMPTLY);
        assertThat(denied.packetId()).isEqualTo(0xFFFF);
        codes.add(denied.reasonCode());
        c.send(publish5("ackid/t", new byte[] {(byte) 0xFF}, 1, false, 0x0101, props(propByte(0x01, 1))));
        Packet badPayload = c.expect(PUBACK, PROMPTLY);
        assertThat(badPayload.packetId()).isEqualTo(0x0101);
        codes.add(badPayload.reasonCode());
        assertThat(codes).containsExactly(0x00, 0x10, 0x87, 0x99);
        assertThat(PUBACK_REASON_CODES).containsAll(codes);

        c.send(publish("ackid/t", "2", 2, false, 0x4321));
        Packet pubrec = c.expect(PUBREC, PROMPTLY);
        assertThat(pubrec.packetId()).isEqualTo(0x4321);
        assertThat(PUBACK_REASON_CODES).contains(pubrec.reasonCode());
        c.send(RawMqttClient.pubrel(0x4321));
        Packet pubcomp = c.expect(PUBCOMP, PROMPTLY);
        assertThat(pubcomp.packetId()).isEqualTo(0x4321);
        assertThat(pubcomp.reasonCode()).isZero();
        c.send(publish("forbidden/ackid", "2", 2, false, 0x4322));
        Packet refused = c.expect(PUBREC, PROMPTLY);
        assertThat(refused.packetId()).isEqualTo(0x4322);
        assertThat(refused.reasonCode()).isEqualTo(0x87);
    }

    @Test
    @DisplayName("[MQTT5-3.7.2-1] [MQTT5-3.6.2-1] a PUBREL for a packet identifier the server does not know: PUBCOMP "
            + "0x00 or 0x92 (Packet Identifier not found); a PUBREL the server sends has 0x00")
    void pubcompForUnknownId() {
        RawMqttClient c = connected("unknown-rel");
        c.send(RawMqttClient.pubrel(999));
        Packet pubcomp = c.expect(PUBCOMP, PROMPTLY);
        assertThat(pubcomp.packetId()).isEqualTo(999);
        assertThat(PUBREL_REASON_CODES).contains(pubcomp.reasonCode());

        subscribe(c, 1, "unknown-rel/t", 2);
        c.send(publish("unknown-rel/t", "x", 2, false, 5));
        c.readUntil(PUBREC, PROMPTLY);
        c.send(RawMqttClient.pubrel(5));
        Packet delivery = c.readUntil(PUBLISH, PROMPTLY);
        c.send(RawMqttClient.pubrec(delivery.packetId()));
        Packet pubrel = c.readUntil(PUBREL, PROMPTLY);
        assertThat(pubrel.flags()).isEqualTo(0x02);
        assertThat(PUBREL_REASON_CODES).contains(pubrel.reasonCode());
        assertThat(pubrel.reasonCode()).isZero();
    }

    // ---- QoS 1 and QoS 2 as sender ---------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-4.3.2-2] [MQTT5-4.3.2-3] [MQTT5-4.3.3-2] [MQTT5-4.3.3-3] [MQTT5-3.3.1-1] [MQTT5-4.4.0-1] "
            + "[MQTT5-4.6.0-1] the server sends QoS 1 and 2 with DUP 0, keeps them unacknowledged until PUBACK or "
            + "PUBREC, does not re-send them on the same connection, and re-sends them on reconnect with DUP 1, the "
            + "same ids, in the original order")
    void unacknowledgedResentOnReconnectOnly() {
        RawMqttClient sub = connected(persistent("retry-sub"));
        subscribe(sub, 1, "retry/t", 2);
        RawMqttClient pub = connected("retry-pub");
        List<Packet> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pub.send(publish("retry/t", "m" + i, 1 + i % 2, false, i + 1));
            first.add(sub.expect(PUBLISH, PROMPTLY));
        }
        assertThat(first).allSatisfy(p -> assertThat(p.dup()).isFalse());
        assertThat(first).extracting(Packet::qos).containsExactly(1, 2, 1, 2);
        sub.send(RawMqttClient.puback(first.get(0).packetId())); // m0 is done; m1, m2, m3 are not
        sub.assertNoPacket(Duration.ofMillis(500)); // no retry on the same connection
        sub.close();

        RawMqttClient back = connected(persistent("retry-sub"));
        List<Packet> again = List.of(back.expect(PUBLISH, PROMPTLY), back.expect(PUBLISH, PROMPTLY),
                back.expect(PUBLISH, PROMPTLY));
        assertThat(again).extracting(p -> text(p.payload5())).containsExactly("m1", "m2", "m3");
        assertThat(again).extracting(Packet::packetId).containsExactly(first.get(1).packetId(),
                first.get(2).packetId(), first.get(3).packetId());
        assertThat(again).allSatisfy(p -> assertThat(p.dup()).isTrue());
        back.assertNoPacket(QUIET);
        for (Packet p : again) {
            back.send(p.qos() == 1 ? RawMqttClient.puback(p.packetId()) : RawMqttClient.pubrec(p.packetId()));
        }
    }

    @Test
    @DisplayName("[MQTT5-4.3.3-4] [MQTT5-4.3.3-5] [MQTT5-4.3.3-6] [MQTT5-4.4.0-1] after PUBREC the server sends PUBREL "
            + "with the same id and keeps it unacknowledged until PUBCOMP: on reconnect it re-sends the PUBREL, not the "
            + "PUBLISH")
    void pubrelResentNotPublish() {
        RawMqttClient sub = connected(persistent("rel-sub"));
        subscribe(sub, 1, "rel/t", 2);
        RawMqttClient pub = connected("rel-pub");
        pub.send(publish("rel/t", "q2", 2, false, 1));
        Packet p = sub.expect(PUBLISH, PROMPTLY);
        sub.send(RawMqttClient.pubrec(p.packetId()));
        assertThat(sub.expect(PUBREL, PROMPTLY).packetId()).isEqualTo(p.packetId());
        sub.close();
        RawMqttClient back = connected(persistent("rel-sub"));
        Packet rel = back.expect(PUBREL, PROMPTLY);
        assertThat(rel.packetId()).isEqualTo(p.packetId());
        back.assertNoPacket(QUIET);
        back.send(RawMqttClient.pubcomp(rel.packetId()));
        back.close();
        RawMqttClient done = connected(persistent("rel-sub"));
        done.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-4.4.0-2] [MQTT5-4.3.3-4] a PUBACK or PUBREC 0x80 or above from the client acknowledges the "
            + "message: no PUBREL, and no re-send on reconnect")
    void negativeAcknowledgementsAreFinal() {
        RawMqttClient sub = connected(persistent("nack-sub"));
        subscribe(sub, 1, "nack/t", 2);
        RawMqttClient pub = connected("nack-pub");
        pub.send(publish("nack/t", "q1", 1, false, 1));
        Packet q1 = sub.expect(PUBLISH, PROMPTLY);
        sub.send(ack5(PUBACK, q1.packetId(), 0x80));
        pub.send(publish("nack/t", "q2", 2, false, 2));
        Packet q2 = sub.expect(PUBLISH, PROMPTLY);
        sub.send(ack5(PUBREC, q2.packetId(), 0x83));
        sub.assertNoPacket(QUIET); // no PUBREL
        sub.close();
        RawMqttClient back = connected(persistent("nack-sub"));
        assertThat(back.lastConnAck().sessionPresent()).isTrue();
        back.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-4.3.3-7] a QoS 2 message the server has sent is not expired any more: re-sent on reconnect "
            + "after its Message Expiry Interval has passed")
    void noExpiryOnceQos2Sent() {
        RawMqttClient sub = connected(persistent("q2exp-sub"));
        subscribe(sub, 1, "q2exp/t", 2);
        RawMqttClient pub = connected("q2exp-pub");
        pub.send(publish5("q2exp/t", utf8("short-lived"), 2, false, 1, props(propU32(0x02, 5))));
        Packet p = sub.expect(PUBLISH, PROMPTLY);
        sub.close();
        clock.addAndGet(60_000);
        RawMqttClient back = connected(persistent("q2exp-sub"));
        Packet again = back.expect(PUBLISH, PROMPTLY);
        assertThat(again.packetId()).isEqualTo(p.packetId());
        assertThat(again.dup()).isTrue();
        assertThat(text(again.payload5())).isEqualTo("short-lived");
        back.send(RawMqttClient.pubrec(again.packetId()));
        back.expect(PUBREL, PROMPTLY);
        back.send(RawMqttClient.pubcomp(again.packetId()));
    }

    // ---- QoS 1 and QoS 2 as receiver -------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-4.3.2-5] after PUBACK a PUBLISH with the same packet id is a new message, DUP or not")
    void qos1SameIdIsNewMessage() {
        RawMqttClient sub = connected("q1new-sub");
        subscribe(sub, 1, "q1new/t", 0);
        RawMqttClient pub = connected("q1new-pub");
        pub.send(publish("q1new/t", "a", 1, false, 5));
        pub.expect(PUBACK, PROMPTLY);
        pub.send(RawMqttClient.withFlags(publish("q1new/t", "b", 1, false, 5), 0x08 | 0x02));
        pub.expect(PUBACK, PROMPTLY);
        assertThat(text(sub.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("a");
        assertThat(text(sub.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("b");
    }

    @Test
    @DisplayName("[MQTT5-4.3.3-10] [MQTT5-4.3.3-12] until PUBREL a re-sent QoS 2 PUBLISH is answered with PUBREC and "
            + "not delivered again; after PUBCOMP the same id is a new message")
    void qos2DuplicatesAndReuse() {
        RawMqttClient sub = connected("q2dup-sub");
        subscribe(sub, 1, "q2dup/t", 0);
        RawMqttClient pub = connected("q2dup-pub");
        pub.send(publish("q2dup/t", "once", 2, false, 7));
        assertThat(pub.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(7);
        pub.send(RawMqttClient.withFlags(publish("q2dup/t", "once", 2, false, 7), 0x08 | 0x04));
        assertThat(pub.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(7);
        pub.send(RawMqttClient.pubrel(7));
        assertThat(pub.expect(PUBCOMP, PROMPTLY).packetId()).isEqualTo(7);
        assertThat(text(sub.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("once");
        sub.assertNoPacket(QUIET);

        pub.send(publish("q2dup/t", "again", 2, false, 7));
        assertThat(pub.expect(PUBREC, PROMPTLY).reasonCode()).isZero();
        pub.send(RawMqttClient.pubrel(7));
        pub.expect(PUBCOMP, PROMPTLY);
        assertThat(text(sub.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("again");
    }

    @Test
    @DisplayName("[MQTT5-4.3.3-9] after a PUBREC 0x80 or above, a PUBLISH with the same packet id is a new message")
    void qos2AfterRefusalIsNewMessage() {
        RawMqttClient sub = connected("q2ref-sub");
        subscribe(sub, 1, "q2ref/t", 0);
        RawMqttClient pub = connected("q2ref-pub");
        pub.send(publish("forbidden/q2ref", "denied", 2, false, 9));
        assertThat(pub.expect(PUBREC, PROMPTLY).reasonCode()).isEqualTo(0x87);
        pub.send(publish("q2ref/t", "fresh", 2, false, 9));
        assertThat(pub.expect(PUBREC, PROMPTLY).reasonCode()).isZero();
        assertThat(text(sub.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("fresh");
        pub.send(RawMqttClient.pubrel(9));
        pub.expect(PUBCOMP, PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT5-4.3.3-13] the server completes the QoS 2 exchange of a message whose expiry has passed: PUBREL "
            + "gets PUBCOMP 0x00")
    void qos2CompletedAfterExpiry() {
        RawMqttClient pub = connected("q2late-pub");
        pub.send(publish5("q2late/t", utf8("x"), 2, false, 3, props(propU32(0x02, 1))));
        pub.expect(PUBREC, PROMPTLY);
        clock.addAndGet(10_000);
        pub.send(RawMqttClient.pubrel(3));
        Packet pubcomp = pub.expect(PUBCOMP, PROMPTLY);
        assertThat(pubcomp.packetId()).isEqualTo(3);
        assertThat(pubcomp.reasonCode()).isZero();
    }

    // ---- 4.1 session state -----------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-4.1.0-1] the session lives while its connection is open, however short its Session Expiry "
            + "Interval")
    void sessionKeptWhileConnected() {
        RawMqttClient c = connected(connect5("alive", propU32(0x11, 1)));
        subscribe(c, 1, "alive/t", 1);
        c.assertNoPacket(Duration.ofMillis(1500)); // longer than the expiry interval
        RawMqttClient pub = connected("alive-pub");
        pub.send(publish("alive/t", "still here", 1, false, 1));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isZero();
        assertThat(text(c.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("still here");
    }

    // ---- 4.8.2 shared subscriptions -------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-4.8.2-3] a shared subscription member gets messages at the QoS granted to it")
    void sharedRespectsGrantedQos() {
        RawMqttClient member = connected("shq-member");
        assertThat(subscribe(member, 1, "$share/shq/shq/t", 0).reasonCodes5()).containsExactly(0);
        RawMqttClient pub = connected("shq-pub");
        pub.send(publish("shq/t", "two", 2, false, 1));
        pub.expect(PUBREC, PROMPTLY);
        pub.send(RawMqttClient.pubrel(1));
        Packet got = member.expect(PUBLISH, PROMPTLY);
        assertThat(got.qos()).isZero();
        member.send(RawMqttClient.subscribe5(2, props(), "$share/shq/shq/t", 1));
        assertThat(member.readUntil(RawMqttClient.SUBACK, PROMPTLY).reasonCodes5()).containsExactly(1);
        pub.send(publish("shq/t", "two again", 2, false, 2));
        Packet q1 = member.readUntil(PUBLISH, PROMPTLY);
        assertThat(q1.qos()).isEqualTo(1);
        member.send(RawMqttClient.puback(q1.packetId()));
    }

    @Test
    @DisplayName("[MQTT5-4.8.2-6] a member that answers a shared message with PUBACK 0x80 or above ends it: no other "
            + "member gets it, not even when the first one leaves")
    void sharedNegativeAckDiscards() {
        RawMqttClient a = connected("shn-a");
        subscribe(a, 1, "$share/shn/shn/t", 1);
        RawMqttClient b = connected("shn-b");
        subscribe(b, 1, "$share/shn/shn/t", 1);
        RawMqttClient pub = connected("shn-pub");
        pub.send(publish("shn/t", "refused", 1, false, 1));
        pub.expect(PUBACK, PROMPTLY);
        Packet got = null;
        RawMqttClient first = null;
        long deadline = System.nanoTime() + PROMPTLY.toNanos();
        while (got == null && System.nanoTime() < deadline) {
            for (RawMqttClient member : List.of(a, b)) {
                java.util.Optional<Packet> p = member.pollPacket(Duration.ofMillis(20));
                if (p.isPresent()) {
                    got = p.get();
                    first = member;
                    break;
                }
            }
        }
        assertThat(got).as("one member gets the message").isNotNull();
        assertThat(got.type()).isEqualTo(PUBLISH);
        RawMqttClient other = first == a ? b : a;
        first.send(ack5(PUBACK, got.packetId(), 0x83));
        other.assertNoPacket(QUIET);
        first.close();
        other.assertNoPacket(Duration.ofMillis(500));
    }
}
