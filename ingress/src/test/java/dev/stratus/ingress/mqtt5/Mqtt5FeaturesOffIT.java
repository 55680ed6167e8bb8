package dev.stratus.ingress.mqtt5;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.config.Features;
import dev.stratus.ingress.support.RawMqtt5TestBase;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawClients.awaitDisconnect;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.propVbi;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker with every MQTT 5 switch off: maximum QoS 1, no retain, no wildcards, no subscription identifiers, no
 * shared subscriptions, no topic aliases. CONNACK says so, and what the client is told not to do is refused.
 */
class Mqtt5FeaturesOffIT extends RawMqtt5TestBase {

    private static final Duration PROMPTLY = Duration.ofSeconds(3);

    @BeforeAll
    static void start() {
        broker = TestBroker.start(BrokerConfig.forTests().withFeatures(Features.defaults().withMaximumQos(1)
                .withRetainAvailable(false).withWildcardSubscriptions(false).withSubscriptionIdentifiers(false)
                .withSharedSubscriptions(false).withTopicAliasMaximum(0)));
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-9] CONNACK announces Maximum QoS 1, Retain Available 0, and no wildcards, "
            + "identifiers, shared subscriptions or topic aliases")
    void connackAnnouncesSwitches() {
        Map<Integer, byte[]> p = connected("switches").lastConnAck().properties5();
        assertThat(p.get(0x24)).as("Maximum QoS").containsExactly(1);
        assertThat(p.get(0x25)).as("Retain Available").containsExactly(0);
        assertThat(p.get(0x28)).as("Wildcard Subscription Available").containsExactly(0);
        assertThat(p.get(0x29)).as("Subscription Identifier Available").containsExactly(0);
        assertThat(p.get(0x2A)).as("Shared Subscription Available").containsExactly(0);
        assertThat(p).as("no Topic Alias Maximum: aliases are off").doesNotContainKey(0x22);
    }

    @Test
    @DisplayName("section 3.9.3: SUBACK 0x9E for a shared subscription, 0xA2 for a wildcard, 0xA1 with an identifier; "
            + "QoS 2 is granted as 1")
    void subackRefusals() {
        RawMqttClient c = connected("sub-off");
        c.send(RawMqttClient.subscribe5(1, props(), "$share/g/t", 1));
        assertThat(c.readUntil(RawMqttClient.SUBACK, PROMPTLY).reasonCodes5()).containsExactly(0x9E);
        c.send(RawMqttClient.subscribe5(2, props(), "a/+", 1));
        assertThat(c.readUntil(RawMqttClient.SUBACK, PROMPTLY).reasonCodes5()).containsExactly(0xA2);
        c.send(RawMqttClient.subscribe5(3, props(propVbi(0x0B, 5)), "a/b", 1));
        assertThat(c.readUntil(RawMqttClient.SUBACK, PROMPTLY).reasonCodes5()).containsExactly(0xA1);
        c.send(RawMqttClient.subscribe5(4, props(), "a/b", 2));
        assertThat(c.readUntil(RawMqttClient.SUBACK, PROMPTLY).reasonCodes5()).containsExactly(1);
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-11] a PUBLISH above the Maximum QoS: DISCONNECT 0x9B")
    void qosAboveMaximum() {
        RawMqttClient c = connected("qos-2");
        c.send(publish5("a/b", utf8("x"), 2, false, 1, props()));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x9B);
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-14] a PUBLISH with RETAIN when retain is not available: DISCONNECT 0x9A")
    void retainNotAvailable() {
        RawMqttClient c = connected("retain");
        c.send(publish5("a/b", utf8("x"), 0, true, 0, props()));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x9A);
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-12] a will QoS above the maximum: CONNACK 0x9B")
    void willQosAboveMaximum() {
        RawMqttClient c = open();
        Packet ack = c.connect(RawMqttClient.connectPacket("will-qos").will("w/t", utf8("x"), 2, false).v5());
        assertThat(ack.reasonCode()).isEqualTo(0x9B);
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-13] section 3.2.2.3.5: a will with RETAIN when retain is not available: CONNACK 0x9A")
    void willRetainNotAvailable() {
        RawMqttClient c = open();
        Packet ack = c.connect(RawMqttClient.connectPacket("will-retain").will("w/t", utf8("x"), 0, true).v5());
        assertThat(ack.reasonCode()).isEqualTo(0x9A);
        c.awaitClosed(PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-17] [MQTT5-3.2.2-18] a topic alias when the server allows none: DISCONNECT 0x94")
    void topicAliasWhenNone() {
        RawMqttClient c = connected("alias-none");
        c.send(publish5("a/b", utf8("x"), 0, false, 0, props(RawMqttClient.propU16(0x23, 1))));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x94);
    }

    @Test
    @DisplayName("MQTT 3.1.1 clients are held to the same switches: SUBACK 0x80 for a wildcard")
    void mqtt311Refusal() {
        RawMqttClient c = connected(RawMqttClient.connectPacket("old"));
        assertThat(c.subscribeAndAwait(1, "a/#", 0).returnCodes()).containsExactly(0x80);
    }
}
