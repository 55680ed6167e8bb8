package dev.stratus.ingress.mqtt5.conformance;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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
import static dev.stratus.ingress.support.RawMqttClient.SUBACK;
import static dev.stratus.ingress.support.RawMqttClient.UNSUBACK;
import static dev.stratus.ingress.support.RawMqttClient.concat;
import static dev.stratus.ingress.support.RawMqttClient.propU32;
import static dev.stratus.ingress.support.RawMqttClient.propVbi;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MQTT 5.0 DISCONNECT from the server (section 3.14), errors (4.13), and what the server leaves out of its packets to
 * stay within the client's Maximum Packet Size: Reason Strings and User Properties (3.2.2, 3.4.2 to 3.7.2, 3.9.2,
 * 3.11.2, 3.14.2, 3.15.2).
 */
class Mqtt5ErrorConformanceIT extends Mqtt5ConformanceTestBase {

    /** A Maximum Packet Size too small for any of the broker's reason strings. */
    private static final int TINY = 20;

    private static void assertNoReasonStringOrUserProperty(Packet p) {
        assertThat(propertyIds(p)).as("properties of " + p).doesNotContain(0x1F, 0x26);
    }

    @Test
    @DisplayName("[MQTT5-3.4.2-2] [MQTT5-3.4.2-3] [MQTT5-3.5.2-2] [MQTT5-3.5.2-3] [MQTT5-3.1.2-24] PUBACK and PUBREC "
            + "0x87 carry a Reason String only when it fits the client's Maximum Packet Size, and never User Properties")
    void ackReasonStringWithinMaximumPacketSize() {
        RawMqttClient roomy = connected("rs-roomy");
        roomy.send(publish("forbidden/rs", "x", 1, false, 1));
        Packet withReason = roomy.expect(PUBACK, PROMPTLY);
        assertThat(withReason.reasonCode()).isEqualTo(0x87);
        assertThat(propertyIds(withReason)).as("a reason string when there is room").containsExactly(0x1F);
        assertThat(wireSize(withReason)).isGreaterThan(TINY);

        RawMqttClient tiny = connected(connect5("rs-tiny", propU32(0x27, TINY)));
        tiny.send(publish("forbidden/rs", "x", 1, false, 1));
        Packet puback = tiny.expect(PUBACK, PROMPTLY);
        assertThat(puback.reasonCode()).isEqualTo(0x87);
        assertThat(wireSize(puback)).isLessThanOrEqualTo(TINY);
        assertNoReasonStringOrUserProperty(puback);
        tiny.send(publish("forbidden/rs", "x", 2, false, 2));
        Packet pubrec = tiny.expect(PUBREC, PROMPTLY);
        assertThat(pubrec.reasonCode()).isEqualTo(0x87);
        assertThat(wireSize(pubrec)).isLessThanOrEqualTo(TINY);
        assertNoReasonStringOrUserProperty(pubrec);
    }

    @Test
    @DisplayName("[MQTT5-3.14.2-3] [MQTT5-3.14.2-4] [MQTT5-3.1.2-24] a DISCONNECT from the server leaves its Reason "
            + "String out when it would not fit the client's Maximum Packet Size, and has no User Properties")
    void disconnectReasonStringWithinMaximumPacketSize() {
        RawMqttClient roomy = connected("dc-roomy");
        roomy.send(publish5("dc/t", utf8("x"), 0, false, 0, props(propVbi(0x0B, 1))));
        Packet withReason = awaitDisconnect(roomy);
        assertThat(withReason.reasonCode()).isEqualTo(0x82);
        assertThat(propertyIds(withReason)).containsExactly(0x1F);
        assertThat(wireSize(withReason)).isGreaterThan(TINY);

        RawMqttClient tiny = connected(connect5("dc-tiny", propU32(0x27, TINY)));
        tiny.send(publish5("dc/t", utf8("x"), 0, false, 0, props(propVbi(0x0B, 1))));
        Packet disconnect = awaitDisconnect(tiny);
        assertThat(disconnect.reasonCode()).isEqualTo(0x82);
        assertThat(wireSize(disconnect)).isLessThanOrEqualTo(TINY);
        assertNoReasonStringOrUserProperty(disconnect);
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-19] [MQTT5-3.2.2-20] a refusing CONNACK leaves its Reason String out when it would not "
            + "fit the client's Maximum Packet Size, and has no User Properties")
    void connackReasonStringWithinMaximumPacketSize() {
        RawMqttClient roomy = open();
        Packet withReason = roomy.connect(connect5("ca-roomy").username(USER).password("wrong"));
        assertThat(withReason.reasonCode()).isEqualTo(0x86);
        assertThat(propertyIds(withReason)).containsExactly(0x1F);
        assertThat(wireSize(withReason)).isGreaterThan(TINY);

        RawMqttClient tiny = open();
        Packet refusal = tiny.connect(connect5("ca-tiny", propU32(0x27, TINY)).username(USER).password("wrong"));
        assertThat(refusal.reasonCode()).isEqualTo(0x86);
        assertThat(wireSize(refusal)).isLessThanOrEqualTo(TINY);
        assertNoReasonStringOrUserProperty(refusal);
        tiny.awaitClosed(PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-20] [MQTT5-3.9.2-1] [MQTT5-3.9.2-2] [MQTT5-3.11.2-1] [MQTT5-3.11.2-2] [MQTT5-3.6.2-2] "
            + "[MQTT5-3.6.2-3] [MQTT5-3.7.2-2] [MQTT5-3.7.2-3] [MQTT5-3.1.2-24] to a client with a small Maximum Packet "
            + "Size, CONNACK, SUBACK and UNSUBACK (failures included), PUBREL and PUBCOMP fit it and carry no Reason "
            + "String or User Property")
    void acknowledgementsWithinMaximumPacketSize() {
        RawMqttClient c = connected(connect5("acks-tiny", propU32(0x27, TINY)));
        Packet connack = c.lastConnAck();
        assertThat(wireSize(connack)).isLessThanOrEqualTo(TINY);
        assertNoReasonStringOrUserProperty(connack);

        c.send(subscribe5(1, "forbidden/x", 1, "acks/t", 2, "bad/#/x", 0));
        Packet suback = c.expect(SUBACK, PROMPTLY);
        assertThat(suback.reasonCodes5()).containsExactly(0x87, 0x02, 0x8F);
        assertThat(wireSize(suback)).isLessThanOrEqualTo(TINY);
        assertNoReasonStringOrUserProperty(suback);

        c.send(unsubscribe5(2, "acks/none", "acks/t"));
        Packet unsuback = c.expect(UNSUBACK, PROMPTLY);
        assertThat(unsuback.reasonCodes5()).containsExactly(0x11, 0x00);
        assertThat(wireSize(unsuback)).isLessThanOrEqualTo(TINY);
        assertNoReasonStringOrUserProperty(unsuback);

        subscribe(c, 3, "acks/q2", 2);
        c.send(publish("acks/q2", "q2", 2, false, 9));
        Packet pubrec = c.readUntil(PUBREC, PROMPTLY);
        assertThat(pubrec.packetId()).isEqualTo(9);
        c.send(RawMqttClient.pubrel(9));
        List<Packet> got = List.of(c.readPacket(PROMPTLY), c.readPacket(PROMPTLY));
        Packet pubcomp = got.stream().filter(p -> p.type() == PUBCOMP).findFirst().orElseThrow();
        Packet delivery = got.stream().filter(p -> p.type() == PUBLISH).findFirst().orElseThrow();
        assertThat(wireSize(pubcomp)).isLessThanOrEqualTo(TINY);
        c.send(RawMqttClient.pubrec(delivery.packetId()));
        Packet pubrel = c.expect(PUBREL, PROMPTLY);
        assertThat(pubrel.packetId()).isEqualTo(delivery.packetId());
        assertThat(wireSize(pubrel)).isLessThanOrEqualTo(TINY);
        c.send(RawMqttClient.pubcomp(delivery.packetId()));
        for (Packet p : List.of(pubrec, pubcomp, pubrel)) {
            assertThat(p.body().length <= 3 || propertyIds(p).isEmpty()).as("no properties in " + p).isTrue();
        }
    }

    @Test
    @DisplayName("[MQTT5-3.14.2-2] [MQTT5-3.14.4-1] [MQTT5-3.14.4-2] [MQTT5-4.13.1-1] [MQTT5-4.13.2-1] after a protocol "
            + "error the server sends DISCONNECT 0x82 without a Session Expiry Interval, nothing after it, even for "
            + "packets that were already on their way, and closes the connection")
    void nothingAfterDisconnect() {
        RawMqttClient c = connected(connect5("nothing-after", propU32(0x11, 30)));
        subscribe(c, 1, "after/t", 0);
        c.send(concat(publish5("after/t", utf8("x"), 0, false, 0, props(propVbi(0x0B, 1))), RawMqttClient.pingreq(),
                publish("after/t", "late", 0, false, 0), subscribe5(2, "after/u", 0)));
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got).extracting(Packet::typeName).containsExactly("DISCONNECT");
        Packet disconnect = got.get(0);
        assertThat(disconnect.reasonCode()).isEqualTo(0x82);
        assertThat(DISCONNECT_REASON_CODES).contains(disconnect.reasonCode());
        assertThat(propertyIds(disconnect)).doesNotContain(0x11);
    }

    @Test
    @DisplayName("[MQTT5-3.14.2-2] [MQTT5-3.14.2-1] a DISCONNECT for a session taken over (0x8E) has no Session Expiry "
            + "Interval either")
    void takeoverDisconnectHasNoSessionExpiry() {
        RawMqttClient first = connected(connect5("taken-over", propU32(0x11, 30)));
        connected(resume5("taken-over", propU32(0x11, 30)));
        Packet disconnect = awaitDisconnect(first);
        assertThat(disconnect.reasonCode()).isEqualTo(0x8E);
        assertThat(propertyIds(disconnect)).doesNotContain(0x11);
    }

    @Test
    @DisplayName("[MQTT5-4.13.2-1] a DISCONNECT 0x80 or above from the client: the server closes the connection and "
            + "publishes the will")
    void clientDisconnectWithError() {
        RawMqttClient watcher = connected("dc-err-watcher");
        subscribe(watcher, 1, "dc-err/will", 0);
        RawMqttClient c = connected(connect5("dc-err").will("dc-err/will", utf8("w"), 0, false));
        c.send(RawMqttClient.disconnect5(0x80, props()));
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        assertThat(text(watcher.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("w");
    }
}
