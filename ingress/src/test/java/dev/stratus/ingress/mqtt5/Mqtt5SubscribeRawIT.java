package dev.stratus.ingress.mqtt5;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.stratus.ingress.support.Mqtt5Bytes.text;
import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawClients.awaitDisconnect;
import static dev.stratus.ingress.support.RawClients.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.SUBACK;
import static dev.stratus.ingress.support.RawMqttClient.UNSUBACK;
import static dev.stratus.ingress.support.RawMqttClient.propVbi;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5 SUBSCRIBE and UNSUBSCRIBE as raw packets: options, identifiers and reason codes. */
class Mqtt5SubscribeRawIT extends Mqtt5RawTestBase {

    private static final Duration QUIET = Duration.ofMillis(200);
    private static final int NO_LOCAL = 0x04;
    private static final int RETAIN_AS_PUBLISHED = 0x08;

    private static int retainHandling(int h) {
        return h << 4;
    }

    @Test
    @DisplayName("[MQTT5-3.9.3-1] [MQTT5-3.8.4-7] SUBACK reason codes: granted QoS, 0x8F invalid filter, 0x87 not authorized, "
            + "0x8F for an invalid shared subscription")
    void subackReasonCodes() {
        RawMqttClient c = connected("codes");
        assertThat(subscribe(c, 1, "ok/+", 2).reasonCodes5()).containsExactly(2);
        assertThat(subscribe(c, 2, "bad/#/x", 1).reasonCodes5()).containsExactly(0x8F);
        assertThat(subscribe(c, 3, "forbidden/x", 1).reasonCodes5()).containsExactly(0x87);
        assertThat(subscribe(c, 4, "$share//t", 1).reasonCodes5()).containsExactly(0x8F);
        assertThat(subscribe(c, 5, "$share/g/t", 1).reasonCodes5()).containsExactly(1);
    }

    @Test
    @DisplayName("[MQTT5-3.11.3-1] UNSUBACK has 0x00 for a removed subscription and 0x11 for none")
    void unsubackReasonCodes() {
        RawMqttClient c = connected("unsub");
        subscribe(c, 1, "u/a", 0);
        c.send(RawMqttClient.packet(RawMqttClient.UNSUBSCRIBE, 0x02, RawMqttClient.concat(
                new byte[] {0, 2}, props(), RawMqttClient.string("u/a"), RawMqttClient.string("u/b"))));
        Packet ack = c.expect(UNSUBACK, PROMPTLY);
        assertThat(ack.packetId()).isEqualTo(2);
        assertThat(ack.reasonCodes5()).containsExactly(0x00, 0x11);
    }

    @Test
    @DisplayName("[MQTT5-3.8.3-3] No Local: a client does not receive its own messages on that subscription")
    void noLocal() {
        RawMqttClient self = connected("narcissus");
        subscribe(self, 1, "nl/t", NO_LOCAL);
        RawMqttClient other = connected("echo");
        subscribe(other, 1, "nl/t", 0);
        self.send(publish5("nl/t", utf8("mine"), 0, false, 0, props()));
        assertThat(text(other.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("mine");
        self.assertNoPacket(QUIET);
        other.send(publish5("nl/t", utf8("theirs"), 0, false, 0, props()));
        assertThat(text(self.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("theirs");
    }

    @Test
    @DisplayName("[MQTT5-3.3.1-12] [MQTT5-3.3.1-13] Retain As Published keeps RETAIN on forwarded messages; "
            + "others get RETAIN 0")
    void retainAsPublished() {
        RawMqttClient rap = connected("rap");
        subscribe(rap, 1, "rap/t", RETAIN_AS_PUBLISHED | retainHandling(2));
        RawMqttClient plain = connected("plain");
        subscribe(plain, 1, "rap/t", retainHandling(2));
        RawMqttClient pub = connected("rap-pub");
        pub.send(publish5("rap/t", utf8("kept"), 0, true, 0, props()));
        assertThat(rap.expect(PUBLISH, PROMPTLY).retain()).isTrue();
        assertThat(plain.expect(PUBLISH, PROMPTLY).retain()).isFalse();
        pub.send(publish5("rap/t", new byte[0], 0, true, 0, props())); // clear the retained message
        rap.expect(PUBLISH, PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT5-3.3.1-9] [MQTT5-3.3.1-10] [MQTT5-3.3.1-11] Retain Handling 0 sends retained messages on "
            + "every subscribe, 1 only when the subscription is new, 2 never")
    void retainHandling() {
        RawMqttClient pub = connected("rh-pub");
        pub.send(publish5("rh/t", utf8("stored"), 1, true, 1, props()));
        pub.expect(PUBACK, PROMPTLY);

        RawMqttClient zero = connected("rh0");
        subscribe(zero, 1, "rh/t", retainHandling(0));
        assertThat(zero.expect(PUBLISH, PROMPTLY).retain()).isTrue();
        subscribe(zero, 2, "rh/t", retainHandling(0));
        assertThat(text(zero.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("stored");

        RawMqttClient one = connected("rh1");
        subscribe(one, 1, "rh/t", retainHandling(1));
        assertThat(one.expect(PUBLISH, PROMPTLY).retain()).isTrue();
        subscribe(one, 2, "rh/t", retainHandling(1));
        one.assertNoPacket(QUIET);

        RawMqttClient two = connected("rh2");
        subscribe(two, 1, "rh/t", retainHandling(2));
        two.assertNoPacket(QUIET);

        pub.send(publish5("rh/t", new byte[0], 1, true, 2, props()));
        pub.expect(PUBACK, PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT5-3.3.4-2..4] the one copy a client gets carries the Subscription Identifiers "
            + "of all its matching subscriptions")
    void subscriptionIdentifiers() {
        RawMqttClient c = connected("ids");
        subscribe(c, 1, "ids/+", 1, propVbi(0x0B, 7));
        subscribe(c, 2, "ids/a", 0, propVbi(0x0B, 300));
        subscribe(c, 3, "ids/#", 0); // no identifier
        RawMqttClient pub = connected("ids-pub");
        pub.send(publish5("ids/a", utf8("x"), 1, false, 1, props()));
        Packet got = c.expect(PUBLISH, PROMPTLY);
        assertThat(got.qos()).as("the highest granted QoS").isEqualTo(1);
        List<Integer> ids = got.propertyList().stream().filter(p -> p[0][0] == 0x0B)
                .map(p -> vbiValue(p[1])).toList();
        assertThat(ids).containsExactlyInAnyOrder(7, 300);
        c.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("section 3.3.4: a retained message sent on subscribe carries that subscription's identifier")
    void subscriptionIdentifierOnRetained() {
        RawMqttClient pub = connected("ids-ret-pub");
        pub.send(publish5("idr/t", utf8("r"), 1, true, 1, props()));
        pub.expect(PUBACK, PROMPTLY);
        RawMqttClient c = connected("ids-ret");
        subscribe(c, 1, "idr/#", 0, propVbi(0x0B, 42));
        Packet got = c.expect(PUBLISH, PROMPTLY);
        assertThat(got.retain()).isTrue();
        assertThat(vbiValue(got.properties5().get(0x0B))).isEqualTo(42);
        pub.send(publish5("idr/t", new byte[0], 1, true, 2, props()));
        pub.expect(PUBACK, PROMPTLY);
    }

    @Test
    @DisplayName("section 3.8.2.1.2: Subscription Identifier 0 is a protocol error: DISCONNECT 0x82")
    void subscriptionIdentifierZero() {
        RawMqttClient c = connected("id-zero");
        c.send(RawMqttClient.subscribe5(1, props(propVbi(0x0B, 0)), "a/b", 0));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("[MQTT5-3.8.3-5] reserved bits 6-7 of the subscription options: DISCONNECT 0x81")
    void reservedOptionBits() {
        RawMqttClient c = connected("reserved-opts");
        c.send(RawMqttClient.subscribe5(1, props(), "a/b", 0x40));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x81);
    }

    @Test
    @DisplayName("section 3.8.3.1: Retain Handling 3 is a protocol error: DISCONNECT 0x82")
    void retainHandlingThree() {
        RawMqttClient c = connected("rh3");
        c.send(RawMqttClient.subscribe5(1, props(), "a/b", retainHandling(3)));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("a SUBSCRIBE property given twice (Subscription Identifier): DISCONNECT 0x82")
    void duplicateSubscriptionIdentifier() {
        RawMqttClient c = connected("two-ids");
        c.send(RawMqttClient.subscribe5(1, props(propVbi(0x0B, 1), propVbi(0x0B, 2)), "a/b", 0));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x82);
        assertThat(c.closedByBroker()).isTrue();
        // the broker goes on serving others
        RawMqttClient ok = connected("after-two-ids");
        assertThat(subscribe(ok, 1, "a/b", 0).type()).isEqualTo(SUBACK);
    }

    private static int vbiValue(byte[] b) {
        int value = 0;
        int multiplier = 1;
        for (byte x : b) {
            value += (x & 0x7F) * multiplier;
            multiplier *= 128;
        }
        return value;
    }
}
