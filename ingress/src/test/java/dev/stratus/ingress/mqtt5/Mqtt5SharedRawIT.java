package dev.stratus.ingress.mqtt5;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.stratus.ingress.support.Mqtt5Bytes.text;
import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawClients.awaitDisconnect;
import static dev.stratus.ingress.support.RawClients.connect5;
import static dev.stratus.ingress.support.RawClients.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.propU32;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static org.assertj.core.api.Assertions.assertThat;

/** Shared subscriptions {@code $share/{group}/{filter}} (section 4.8.2) over raw packets. */
class Mqtt5SharedRawIT extends Mqtt5RawTestBase {

    private static final Duration QUIET = Duration.ofMillis(300);

    /** Every PUBLISH that arrives until {@code quiet} passes without one; QoS 1 ones are acknowledged. */
    private static List<Packet> drain(RawMqttClient c, boolean ack) {
        List<Packet> got = new ArrayList<>();
        Optional<Packet> p;
        while ((p = c.pollPacket(QUIET)).isPresent()) {
            if (p.get().type() == PUBLISH) {
                got.add(p.get());
                if (ack && p.get().qos() == 1) {
                    c.send(RawMqttClient.puback(p.get().packetId()));
                }
            }
        }
        return got;
    }

    private static List<String> payloads(List<Packet> packets) {
        return packets.stream().map(p -> text(p.payload5())).toList();
    }

    private void publishAll(String topic, int count, int qos) {
        RawMqttClient pub = connected("share-pub-" + topic.replace('/', '-'));
        for (int i = 1; i <= count; i++) {
            pub.send(publish5(topic, utf8("m" + i), qos, false, i, props()));
            if (qos == 1) {
                pub.expect(PUBACK, PROMPTLY);
            }
        }
    }

    @Test
    @DisplayName("section 4.8.2: each message goes to exactly one member of the group, spread over the members")
    void oneMemberEach() {
        List<RawMqttClient> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawMqttClient m = connected("worker-" + i);
            assertThat(subscribe(m, 1, "$share/workers/jobs/+", 1).reasonCodes5()).containsExactly(1);
            members.add(m);
        }
        publishAll("jobs/a", 30, 1);
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (RawMqttClient m : members) {
            List<String> got = payloads(drain(m, true));
            assertThat(got.size()).as("fairly spread").isBetween(5, 15);
            seen.addAll(got);
            total += got.size();
        }
        assertThat(total).as("no message twice").isEqualTo(30);
        assertThat(seen).hasSize(30);
    }

    @Test
    @DisplayName("section 4.8.2: two groups on the same filter each get every message once; an ordinary "
            + "subscriber gets it too")
    void groupsAreIndependent() {
        RawMqttClient a1 = connected("a1");
        RawMqttClient a2 = connected("a2");
        RawMqttClient b1 = connected("b1");
        RawMqttClient plain = connected("plain-sub");
        subscribe(a1, 1, "$share/a/grp/t", 0);
        subscribe(a2, 1, "$share/a/grp/t", 0);
        subscribe(b1, 1, "$share/b/grp/t", 0);
        subscribe(plain, 1, "grp/t", 0);
        publishAll("grp/t", 10, 0);
        assertThat(drain(a1, false).size() + drain(a2, false).size()).isEqualTo(10);
        assertThat(drain(b1, false)).hasSize(10);
        assertThat(drain(plain, false)).hasSize(10);
    }

    @Test
    @DisplayName("section 4.8.2: retained messages are not sent on a shared subscribe")
    void noRetainedOnSharedSubscribe() {
        RawMqttClient pub = connected("ret-share-pub");
        pub.send(publish5("rs/t", utf8("kept"), 1, true, 1, props()));
        pub.expect(PUBACK, PROMPTLY);
        RawMqttClient m = connected("ret-share");
        subscribe(m, 1, "$share/g/rs/t", 1);
        m.assertNoPacket(QUIET);
        pub.send(publish5("rs/t", new byte[0], 1, true, 2, props()));
        pub.expect(PUBACK, PROMPTLY);
    }

    @Test
    @DisplayName("section 4.8.2: QoS 1 messages a member did not acknowledge go to another member when it leaves")
    void unacknowledgedGoToAnotherMember() {
        RawMqttClient lazy = connected(connect5("lazy", RawMqttClient.propU16(0x21, 100)));
        subscribe(lazy, 1, "$share/g/work/t", 1);
        RawMqttClient busy = connected("busy");
        subscribe(busy, 1, "$share/g/work/t", 1);
        publishAll("work/t", 20, 1);
        List<String> lazyGot = payloads(drain(lazy, false)); // never acknowledged
        List<String> busyGot = new ArrayList<>(payloads(drain(busy, true)));
        assertThat(lazyGot).isNotEmpty();
        lazy.abort();
        busyGot.addAll(payloads(drain(busy, true)));
        assertThat(busyGot).as("every message ends up with the member that stayed").hasSize(20)
                .containsAll(lazyGot);
    }

    @Test
    @DisplayName("[MQTT5-4.8.2-4] [MQTT5-4.8.2-5] a QoS 2 message sent to a member stays with that member: "
            + "it is completed when the member comes back, never sent to another")
    void qos2StaysWithItsMember() {
        RawMqttClient a = connected(connect5("qos2-a", propU32(0x11, 300)));
        subscribe(a, 1, "$share/g/q2/t", 2);
        RawMqttClient pub = connected("q2-pub");
        pub.send(publish5("q2/t", utf8("exactly-once"), 2, false, 1, props()));
        Packet sent = a.expect(PUBLISH, PROMPTLY);
        a.abort(); // no PUBREC
        RawMqttClient b = connected("qos2-b");
        subscribe(b, 1, "$share/g/q2/t", 2);
        b.assertNoPacket(QUIET);
        RawMqttClient back = connected(RawMqttClient.connectPacket("qos2-a").cleanSession(false)
                .v5(propU32(0x11, 300)));
        Packet again = back.expect(PUBLISH, PROMPTLY);
        assertThat(again.dup()).isTrue();
        assertThat(again.packetId()).isEqualTo(sent.packetId());
        assertThat(text(again.payload5())).isEqualTo("exactly-once");
    }

    @Test
    @DisplayName("section 4.8.2: a member that unsubscribes gets no more; the others get everything")
    void unsubscribeLeavesGroup() {
        RawMqttClient a = connected("leaver");
        RawMqttClient b = connected("stayer");
        subscribe(a, 1, "$share/g/u/t", 0);
        subscribe(b, 1, "$share/g/u/t", 0);
        a.send(RawMqttClient.packet(RawMqttClient.UNSUBSCRIBE, 0x02, RawMqttClient.concat(new byte[] {0, 2}, props(),
                RawMqttClient.string("$share/g/u/t"))));
        assertThat(a.expect(RawMqttClient.UNSUBACK, PROMPTLY).reasonCodes5()).containsExactly(0);
        publishAll("u/t", 6, 0);
        assertThat(drain(b, false)).hasSize(6);
        a.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("section 4.8.2: a message for a group whose only member is offline waits in its session queue")
    void offlineMemberQueues() {
        RawMqttClient a = connected(connect5("sleeper", propU32(0x11, 300)));
        subscribe(a, 1, "$share/g/off/t", 1);
        a.disconnect();
        publishAll("off/t", 3, 1);
        RawMqttClient back = connected(RawMqttClient.connectPacket("sleeper").cleanSession(false)
                .v5(propU32(0x11, 300)));
        assertThat(payloads(drain(back, true))).containsExactly("m1", "m2", "m3");
    }

    @Test
    @DisplayName("[MQTT5-3.8.3-4] No Local on a shared subscription is a protocol error: DISCONNECT 0x82")
    void noLocalOnShared() {
        RawMqttClient c = connected("nl-shared");
        c.send(RawMqttClient.subscribe5(1, props(), "$share/g/t", 0x04));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("MQTT 3.1.1 clients may join shared groups too")
    void mqtt311Members() {
        RawMqttClient a = connected(RawMqttClient.connectPacket("old-a"));
        RawMqttClient b = connected(RawMqttClient.connectPacket("old-b"));
        assertThat(a.subscribeAndAwait(1, "$share/g/old/t", 0).returnCodes()).containsExactly(0);
        assertThat(b.subscribeAndAwait(1, "$share/g/old/t", 0).returnCodes()).containsExactly(0);
        publishAll("old/t", 8, 0);
        int na = 0;
        int nb = 0;
        Optional<Packet> p;
        while ((p = a.pollPacket(QUIET)).isPresent()) {
            na++;
        }
        while ((p = b.pollPacket(QUIET)).isPresent()) {
            nb++;
        }
        assertThat(na + nb).isEqualTo(8);
        assertThat(na).isPositive();
        assertThat(nb).isPositive();
    }
}
