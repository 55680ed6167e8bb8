package dev.stratus.ingress.mqtt5.conformance;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.stratus.ingress.support.Mqtt5Bytes.text;
import static dev.stratus.ingress.support.RawClients.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.PUBREL;
import static dev.stratus.ingress.support.RawMqttClient.SUBACK;
import static dev.stratus.ingress.support.RawMqttClient.UNSUBACK;
import static dev.stratus.ingress.support.RawMqttClient.concat;
import static dev.stratus.ingress.support.RawMqttClient.lengthPrefixed;
import static dev.stratus.ingress.support.RawMqttClient.packet;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5.0 sections 3.8 to 3.11 (SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK) over raw MQTT 5 connections. */
class Mqtt5SubscribeConformanceIT extends Mqtt5ConformanceTestBase {

    private static final byte[] BAD_UTF8 = {'s', (byte) 0xC3, '/', 't'};

    @Test
    @DisplayName("[MQTT5-3.8.3-1] [MQTT5-1.5.4-1] a topic filter in SUBSCRIBE that is not well-formed UTF-8: "
            + "DISCONNECT 0x81")
    void subscribeFilterNotUtf8() {
        RawMqttClient c = connected("sub-utf8");
        c.send(packet(RawMqttClient.SUBSCRIBE, 0x02, concat(new byte[] {0, 1}, props(), lengthPrefixed(BAD_UTF8),
                new byte[] {0})));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x81);
    }

    @Test
    @DisplayName("[MQTT5-3.8.3-2] a SUBSCRIBE without any topic filter is a protocol error: DISCONNECT 0x82")
    void subscribeWithoutFilters() {
        RawMqttClient c = connected("sub-empty");
        c.send(packet(RawMqttClient.SUBSCRIBE, 0x02, concat(new byte[] {0, 1}, props())));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("[MQTT5-3.10.3-1] a topic filter in UNSUBSCRIBE that is not well-formed UTF-8: DISCONNECT 0x81")
    void unsubscribeFilterNotUtf8() {
        RawMqttClient c = connected("unsub-utf8");
        c.send(packet(RawMqttClient.UNSUBSCRIBE, 0x02, concat(new byte[] {0, 1}, props(), lengthPrefixed(BAD_UTF8))));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x81);
    }

    @Test
    @DisplayName("[MQTT5-3.10.3-2] an UNSUBSCRIBE without any topic filter is a protocol error: DISCONNECT 0x82")
    void unsubscribeWithoutFilters() {
        RawMqttClient c = connected("unsub-empty");
        c.send(packet(RawMqttClient.UNSUBSCRIBE, 0x02, concat(new byte[] {0, 1}, props())));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("[MQTT5-3.8.4-1] [MQTT5-3.8.4-5] [MQTT5-3.8.4-6] [MQTT5-3.9.3-1] [MQTT5-3.9.3-2] [MQTT5-3.8.4-7] a "
            + "SUBSCRIBE of several filters is answered by one SUBACK with a reason code per filter, in order, from "
            + "the Subscribe Reason Codes; each subscription works")
    void severalFiltersOneSuback() {
        RawMqttClient c = connected("multi-sub");
        c.send(subscribe5(21, "multi/a", 2, "forbidden/m", 1, "multi/b", 1, "multi/#/x", 0, "multi/c", 0));
        Packet suback = c.expect(SUBACK, PROMPTLY);
        assertThat(suback.packetId()).isEqualTo(21);
        assertThat(suback.reasonCodes5()).containsExactly(0x02, 0x87, 0x01, 0x8F, 0x00);
        for (int code : suback.reasonCodes5()) {
            assertThat(SUBACK_REASON_CODES).contains(code);
        }
        c.assertNoPacket(QUIET); // one SUBACK only
        RawMqttClient pub = connected("multi-pub");
        pub.send(publish("multi/a", "a", 0, false, 0));
        pub.send(publish("multi/b", "b", 0, false, 0));
        pub.send(publish("multi/c", "c", 0, false, 0));
        assertThat(List.of(c.expect(PUBLISH, PROMPTLY), c.expect(PUBLISH, PROMPTLY), c.expect(PUBLISH, PROMPTLY)))
                .extracting(p -> text(p.payload5())).containsExactly("a", "b", "c");
    }

    @Test
    @DisplayName("[MQTT5-3.8.4-3] [MQTT5-3.8.4-4] subscribing again to the same filter replaces the subscription: new "
            + "options take effect, one copy per message, retained messages are sent again (Retain Handling 0), no "
            + "message is lost")
    void resubscribeReplaces() {
        RawMqttClient pub = connected("resub-pub");
        pub.send(publish("resub/t", "retained", 1, true, 1));
        pub.expect(PUBACK, PROMPTLY);
        RawMqttClient c = connected("resub");
        c.send(subscribe5(1, "resub/t", 0));
        c.expect(SUBACK, PROMPTLY);
        assertThat(text(c.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("retained");

        pub.send(publish("resub/t", "before", 1, false, 2));
        c.send(subscribe5(2, "resub/t", 1));
        List<String> payloads = new java.util.ArrayList<>();
        boolean retainedAgain = false;
        boolean suback = false;
        while (payloads.size() < 3 || !suback) {
            Packet p = c.readPacket(PROMPTLY);
            if (p.type() == SUBACK) {
                assertThat(p.reasonCodes5()).containsExactly(1);
                suback = true;
                pub.send(publish("resub/t", "after", 1, false, 3)); // once the new subscription is in place
                continue;
            }
            assertThat(p.type()).isEqualTo(PUBLISH);
            String payload = text(p.payload5());
            payloads.add(payload);
            if (payload.equals("retained")) {
                retainedAgain = true;
                assertThat(p.retain()).isTrue();
            }
            if (p.qos() == 1) {
                c.send(RawMqttClient.puback(p.packetId()));
            }
            if (payload.equals("after")) {
                assertThat(p.qos()).as("the new subscription's QoS").isEqualTo(1);
            }
        }
        assertThat(retainedAgain).isTrue();
        assertThat(payloads).containsExactlyInAnyOrder("retained", "before", "after");
        c.assertNoPacket(QUIET); // one copy each: the subscription was replaced, not added
        pub.send(publish("resub/t", "", 0, true, 0));
    }

    @Test
    @DisplayName("[MQTT5-3.8.4-8] messages go out at the lower of the message's QoS and the granted QoS")
    void deliveredAtMinimumQos() {
        RawMqttClient q1 = connected("minq-1");
        subscribe(q1, 1, "minq/t", 1);
        RawMqttClient q2 = connected("minq-2");
        subscribe(q2, 1, "minq/t", 2);
        RawMqttClient pub = connected("minq-pub");
        pub.send(publish("minq/t", "two", 2, false, 1));
        pub.readUntil(RawMqttClient.PUBREC, PROMPTLY);
        pub.send(RawMqttClient.pubrel(1));
        assertThat(q1.expect(PUBLISH, PROMPTLY).qos()).isEqualTo(1);
        assertThat(q2.expect(PUBLISH, PROMPTLY).qos()).isEqualTo(2);
        pub.send(publish("minq/t", "zero", 0, false, 0));
        assertThat(q1.readUntil(PUBLISH, PROMPTLY).qos()).isZero();
        assertThat(q2.readUntil(PUBLISH, PROMPTLY).qos()).isZero();
    }

    @Test
    @DisplayName("[MQTT5-3.10.4-1] [MQTT5-3.10.4-4] [MQTT5-3.10.4-5] [MQTT5-3.11.3-1] [MQTT5-3.11.3-2] UNSUBSCRIBE "
            + "compares filters character by character: 'u/a' does not remove 'u/+' (0x11), 'u/+' does (0x00); "
            + "every UNSUBSCRIBE gets its UNSUBACK with the same id")
    void unsubscribeMatchesExactly() {
        RawMqttClient c = connected("unsub-exact");
        subscribe(c, 1, "u/+", 0);
        c.send(unsubscribe5(31, "u/a"));
        Packet none = c.expect(UNSUBACK, PROMPTLY);
        assertThat(none.packetId()).isEqualTo(31);
        assertThat(none.reasonCodes5()).containsExactly(0x11);
        RawMqttClient pub = connected("unsub-exact-pub");
        pub.send(publish("u/a", "still", 0, false, 0));
        assertThat(text(c.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("still");
        c.send(unsubscribe5(32, "u/+"));
        Packet removed = c.expect(UNSUBACK, PROMPTLY);
        assertThat(removed.packetId()).isEqualTo(32);
        assertThat(removed.reasonCodes5()).containsExactly(0x00);
        assertThat(UNSUBACK_REASON_CODES).contains(none.reasonCodes5()[0], removed.reasonCodes5()[0]);
        pub.send(publish("u/a", "gone", 0, false, 0));
        c.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-3.10.4-6] [MQTT5-3.11.3-1] [MQTT5-3.11.3-2] an UNSUBSCRIBE of several filters is answered by "
            + "one UNSUBACK with a reason code per filter, in order")
    void severalFiltersOneUnsuback() {
        RawMqttClient c = connected("multi-unsub");
        c.send(subscribe5(1, "mu/a", 0, "mu/b", 0));
        c.expect(SUBACK, PROMPTLY);
        c.send(unsubscribe5(41, "mu/b", "mu/none", "mu/a"));
        Packet unsuback = c.expect(UNSUBACK, PROMPTLY);
        assertThat(unsuback.packetId()).isEqualTo(41);
        assertThat(unsuback.reasonCodes5()).containsExactly(0x00, 0x11, 0x00);
        for (int code : unsuback.reasonCodes5()) {
            assertThat(UNSUBACK_REASON_CODES).contains(code);
        }
        c.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-3.10.4-2] [MQTT5-3.10.4-3] after UNSUBSCRIBE no new messages are sent for the filter, but a "
            + "QoS 1 and a QoS 2 delivery already started are completed")
    void unsubscribeCompletesStartedDeliveries() {
        RawMqttClient c = connected(resume5("unsub-inflight", RawMqttClient.propU32(0x11, 60)));
        subscribe(c, 1, "ui/t", 2);
        RawMqttClient pub = connected("unsub-inflight-pub");
        pub.send(publish("ui/t", "q1", 1, false, 1));
        pub.send(publish("ui/t", "q2", 2, false, 2));
        Packet q1 = c.expect(PUBLISH, PROMPTLY);
        Packet q2 = c.expect(PUBLISH, PROMPTLY);
        c.send(unsubscribe5(2, "ui/t"));
        assertThat(c.expect(UNSUBACK, PROMPTLY).reasonCodes5()).containsExactly(0);
        pub.send(publish("ui/t", "new", 1, false, 3));
        c.assertNoPacket(QUIET);
        c.send(RawMqttClient.pubrec(q2.packetId()));
        assertThat(c.expect(PUBREL, PROMPTLY).packetId()).isEqualTo(q2.packetId());
        c.send(RawMqttClient.pubcomp(q2.packetId()));
        // the QoS 1 message is still the server's to deliver: it comes again after a reconnect until acknowledged
        c.close();
        RawMqttClient back = connected(resume5("unsub-inflight", RawMqttClient.propU32(0x11, 60)));
        Packet again = back.expect(PUBLISH, PROMPTLY);
        assertThat(again.packetId()).isEqualTo(q1.packetId());
        assertThat(text(again.payload5())).isEqualTo("q1");
        back.send(RawMqttClient.puback(again.packetId()));
        back.assertNoPacket(QUIET);
    }
}
