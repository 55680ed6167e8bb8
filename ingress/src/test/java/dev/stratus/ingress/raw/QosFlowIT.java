package dev.stratus.ingress.raw;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.stratus.ingress.raw.Waits.await;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.PUBREC;
import static dev.stratus.ingress.support.RawMqttClient.PUBREL;
import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static dev.stratus.ingress.support.RawMqttClient.puback;
import static dev.stratus.ingress.support.RawMqttClient.pubcomp;
import static dev.stratus.ingress.support.RawMqttClient.publish;
import static dev.stratus.ingress.support.RawMqttClient.pubrec;
import static dev.stratus.ingress.support.RawMqttClient.pubrel;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * QoS 1 and 2 exchanges driven packet by packet: exactly-once on re-sent PUBLISH, packet id reuse after PUBCOMP,
 * and re-sending of unacknowledged PUBLISH and PUBREL when a persistent session resumes.
 */
class QosFlowIT extends RawBrokerTestBase {

    /** Absence of a packet is shown by a quiet socket read of this length. */
    private static final Duration QUIET = Duration.ofMillis(300);

    private final List<String> persistentIds = new ArrayList<>();

    @AfterEach
    void removePersistentSessions() {
        for (String id : persistentIds) {
            RawMqttClient.connected(broker.tcpPort(), connectPacket(id).cleanSession(true)).disconnect();
        }
        await("persistent sessions removed").atMost(PROMPTLY).until(() -> broker.broker().sessions().all().stream()
                .noneMatch(s -> persistentIds.contains(s.clientId())));
    }

    private RawMqttClient persistent(String clientId) {
        if (!persistentIds.contains(clientId)) {
            persistentIds.add(clientId);
        }
        return connected(connectPacket(clientId).cleanSession(false));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Waits until the broker has seen the given number of connections (the healthy one included). */
    private static void awaitConnections(int n) {
        await().atMost(PROMPTLY).until(() -> broker.broker().stats().connections() == n);
    }

    /** Receives a QoS 2 PUBLISH on the subscriber side and completes the exchange. */
    private static Packet receiveQos2(RawMqttClient sub) {
        Packet p = sub.expect(PUBLISH, PROMPTLY);
        assertThat(p.qos()).isEqualTo(2);
        sub.send(pubrec(p.packetId()));
        Packet rel = sub.expect(PUBREL, PROMPTLY);
        assertThat(rel.packetId()).isEqualTo(p.packetId());
        assertThat(rel.flags()).as("PUBREL flags [MQTT-3.6.1-1]").isEqualTo(0b0010);
        sub.send(pubcomp(p.packetId()));
        return p;
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] a QoS 2 PUBLISH re-sent with DUP before PUBREL gets a second PUBREC but is "
            + "delivered once")
    void resentQos2PublishIsDeliveredExactlyOnce() {
        RawMqttClient sub = connected("eo-sub");
        sub.subscribeAndAwait(1, "eo/topic", 2);
        RawMqttClient pub = connected("eo-pub");

        pub.send(publish("eo/topic", utf8("once"), 2, false, false, 7));
        assertThat(pub.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(7);
        pub.send(publish("eo/topic", utf8("once"), 2, false, true, 7));
        assertThat(pub.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(7);

        assertThat(receiveQos2(sub).payloadText()).isEqualTo("once");
        sub.assertNoPacket(QUIET);

        pub.send(pubrel(7));
        assertThat(pub.expect(RawMqttClient.PUBCOMP, PROMPTLY).packetId()).isEqualTo(7);
        // a PUBREL re-sent after PUBCOMP is answered again and changes nothing
        pub.send(pubrel(7));
        assertThat(pub.expect(RawMqttClient.PUBCOMP, PROMPTLY).packetId()).isEqualTo(7);
        sub.assertNoPacket(QUIET);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] after PUBREL and PUBCOMP, a new PUBLISH with the same packet id is a new message")
    void packetIdReusedAfterPubCompIsNewMessage() {
        RawMqttClient sub = connected("reuse-sub");
        sub.subscribeAndAwait(1, "reuse/topic", 2);
        RawMqttClient pub = connected("reuse-pub");

        pub.send(publish("reuse/topic", utf8("first"), 2, false, false, 7));
        assertThat(pub.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(7);
        pub.send(pubrel(7));
        assertThat(pub.expect(RawMqttClient.PUBCOMP, PROMPTLY).packetId()).isEqualTo(7);
        assertThat(receiveQos2(sub).payloadText()).isEqualTo("first");

        pub.send(publish("reuse/topic", utf8("second"), 2, false, false, 7));
        assertThat(pub.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(7);
        assertThat(receiveQos2(sub).payloadText()).isEqualTo("second");
        pub.send(pubrel(7));
        assertThat(pub.expect(RawMqttClient.PUBCOMP, PROMPTLY).packetId()).isEqualTo(7);
        sub.assertNoPacket(QUIET);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] a persistent publisher that reconnects before PUBREL and re-sends its QoS 2 PUBLISH "
            + "does not cause a second delivery")
    void resentQos2PublishAfterReconnectIsNotDeliveredAgain() {
        RawMqttClient sub = connected("eo-resume-sub");
        sub.subscribeAndAwait(1, "eo/resume", 2);
        RawMqttClient pub = persistent("eo-resume-pub");
        pub.send(publish("eo/resume", utf8("once"), 2, false, false, 7));
        assertThat(pub.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(7);
        assertThat(receiveQos2(sub).payloadText()).isEqualTo("once");
        pub.abort();
        awaitConnections(2);

        RawMqttClient again = persistent("eo-resume-pub");
        assertThat(again.lastConnAck().sessionPresent()).isTrue();
        again.send(publish("eo/resume", utf8("once"), 2, false, true, 7));
        assertThat(again.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(7);
        again.send(pubrel(7));
        assertThat(again.expect(RawMqttClient.PUBCOMP, PROMPTLY).packetId()).isEqualTo(7);
        sub.assertNoPacket(QUIET);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] [MQTT-3.2.2-2] unacknowledged QoS 1 messages are re-sent with DUP=1, same ids, same "
            + "order, when the persistent session resumes; queued ones follow")
    void unacknowledgedQos1MessagesAreResentOnResume() {
        RawMqttClient sub = persistent("resume-q1");
        sub.subscribeAndAwait(1, "resume/q1", 1);
        RawMqttClient pub = connected("resume-q1-pub");
        for (int i = 1; i <= 3; i++) {
            pub.send(publish("resume/q1", utf8("m" + i), 1, false, false, i));
            assertThat(pub.expect(RawMqttClient.PUBACK, PROMPTLY).packetId()).isEqualTo(i);
        }
        List<Packet> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Packet p = sub.expect(PUBLISH, PROMPTLY);
            assertThat(p.dup()).isFalse();
            first.add(p);
        }
        assertThat(first).extracting(Packet::payloadText).containsExactly("m1", "m2", "m3");
        // no PUBACK: the connection just goes away
        sub.abort();
        awaitConnections(2);
        // published while the subscriber is offline: queued
        pub.send(publish("resume/q1", utf8("m4"), 1, false, false, 4));
        assertThat(pub.expect(RawMqttClient.PUBACK, PROMPTLY).packetId()).isEqualTo(4);

        RawMqttClient resumed = persistent("resume-q1");
        assertThat(resumed.lastConnAck().sessionPresent()).as("session present [MQTT-3.2.2-2]").isTrue();
        List<Packet> again = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            again.add(resumed.expect(PUBLISH, PROMPTLY));
        }
        assertThat(again).extracting(Packet::payloadText).containsExactly("m1", "m2", "m3");
        assertThat(again).allSatisfy(p -> {
            assertThat(p.dup()).as("DUP on re-delivery [MQTT-3.3.1-1]").isTrue();
            assertThat(p.qos()).isEqualTo(1);
        });
        assertThat(again).extracting(Packet::packetId)
                .as("original packet ids").containsExactlyElementsOf(first.stream().map(Packet::packetId).toList());
        Packet queued = resumed.expect(PUBLISH, PROMPTLY);
        assertThat(queued.payloadText()).isEqualTo("m4");
        assertThat(queued.dup()).isFalse();

        for (Packet p : again) {
            resumed.send(puback(p.packetId()));
        }
        resumed.send(puback(queued.packetId()));
        resumed.disconnect();
        awaitConnections(2);

        // everything was acknowledged: nothing is re-sent next time
        RawMqttClient third = persistent("resume-q1");
        assertThat(third.lastConnAck().sessionPresent()).isTrue();
        third.assertNoPacket(QUIET);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] a QoS 2 message PUBRECed but not PUBCOMPed gets PUBREL again, not PUBLISH, when the "
            + "persistent session resumes")
    void unfinishedQos2IsResumedWithPubRel() {
        RawMqttClient sub = persistent("resume-q2");
        sub.subscribeAndAwait(1, "resume/q2", 2);
        RawMqttClient pub = connected("resume-q2-pub");
        pub.send(publish("resume/q2", utf8("exactly-once"), 2, false, false, 1));
        assertThat(pub.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(1);
        pub.send(pubrel(1));
        pub.expect(RawMqttClient.PUBCOMP, PROMPTLY);

        Packet p = sub.expect(PUBLISH, PROMPTLY);
        sub.send(pubrec(p.packetId()));
        assertThat(sub.expect(PUBREL, PROMPTLY).packetId()).isEqualTo(p.packetId());
        // no PUBCOMP
        sub.abort();
        awaitConnections(2);

        RawMqttClient resumed = persistent("resume-q2");
        assertThat(resumed.lastConnAck().sessionPresent()).isTrue();
        Packet rel = resumed.expect(PUBREL, PROMPTLY);
        assertThat(rel.packetId()).isEqualTo(p.packetId());
        assertThat(rel.flags()).isEqualTo(0b0010);
        resumed.assertNoPacket(QUIET);
        resumed.send(pubcomp(p.packetId()));
        resumed.disconnect();
        awaitConnections(2);

        RawMqttClient third = persistent("resume-q2");
        third.assertNoPacket(QUIET);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] a QoS 2 PUBLISH not yet PUBRECed is re-sent with DUP=1 when the session resumes")
    void unreceivedQos2IsResentWithDup() {
        RawMqttClient sub = persistent("resume-q2-pub");
        sub.subscribeAndAwait(1, "resume/q2p", 2);
        RawMqttClient pub = connected("resume-q2p-pub");
        pub.send(publish("resume/q2p", utf8("again"), 2, false, false, 1));
        assertThat(pub.expect(PUBREC, PROMPTLY).packetId()).isEqualTo(1);
        Packet p = sub.expect(PUBLISH, PROMPTLY);
        assertThat(p.dup()).isFalse();
        sub.abort();
        awaitConnections(2);

        RawMqttClient resumed = persistent("resume-q2-pub");
        Packet again = resumed.expect(PUBLISH, PROMPTLY);
        assertThat(again.dup()).isTrue();
        assertThat(again.qos()).isEqualTo(2);
        assertThat(again.packetId()).isEqualTo(p.packetId());
        assertThat(again.payloadText()).isEqualTo("again");
        assertThat(receiveQos2Tail(resumed, again)).isTrue();
        healthy.assertStillServed();
    }

    private static boolean receiveQos2Tail(RawMqttClient sub, Packet p) {
        sub.send(pubrec(p.packetId()));
        assertThat(sub.expect(PUBREL, PROMPTLY).packetId()).isEqualTo(p.packetId());
        sub.send(pubcomp(p.packetId()));
        sub.assertNoPacket(QUIET);
        return true;
    }
}
