package dev.stratus.ingress.mqtt5.conformance;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.config.Features;
import dev.stratus.ingress.support.Mqtt5Bytes;
import dev.stratus.ingress.support.RawClients;
import dev.stratus.ingress.support.RawMqtt5TestBase;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.TestBroker;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One broker per test class for the MQTT 5.0 conformance tests, which talk raw MQTT 5 packets: packets of at most
 * {@value #MAX_PACKET_SIZE} bytes, a Receive Maximum of {@value #RECEIVE_MAXIMUM}, {@value #TOPIC_ALIAS_MAXIMUM}
 * topic aliases, sessions of at most {@value #MAX_SESSION_EXPIRY} s, one password user ({@value #USER}),
 * anonymous clients allowed, publishing and subscribing under {@code forbidden/} denied, and a clock for message
 * expiry that the tests move forward. Each test uses its own client ids and topics. Clients and helpers:
 * {@link RawMqtt5TestBase}.
 */
abstract class Mqtt5ConformanceTestBase extends RawMqtt5TestBase {

    static final int MAX_PACKET_SIZE = 1024;
    static final int RECEIVE_MAXIMUM = 8;
    static final int TOPIC_ALIAS_MAXIMUM = 4;
    static final long MAX_SESSION_EXPIRY = 3600;
    static final String USER = "alice";
    static final String PASSWORD = "wonderland";
    static final Duration PROMPTLY = Duration.ofSeconds(3);
    /** How long to listen to show that something is not sent (a socket read timeout, not a sleep). */
    static final Duration QUIET = Duration.ofMillis(200);

    /** Connect Reason Codes, Table 3-1 [MQTT5-3.2.2-8]. */
    static final Set<Integer> CONNECT_REASON_CODES = Set.of(0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
            0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F);
    /** Disconnect Reason Codes, Table 3-10 [MQTT5-3.14.2-1]. */
    static final Set<Integer> DISCONNECT_REASON_CODES = Set.of(0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B,
            0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0,
            0xA1, 0xA2);
    /** PUBACK Reason Codes, Table 3-4 [MQTT5-3.4.2-1]; PUBREC uses the same ones, Table 3-5 [MQTT5-3.5.2-1]. */
    static final Set<Integer> PUBACK_REASON_CODES = Set.of(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99);
    /** PUBREL and PUBCOMP Reason Codes, Tables 3-6 and 3-7. */
    static final Set<Integer> PUBREL_REASON_CODES = Set.of(0x00, 0x92);
    /** Subscribe Reason Codes, Table 3-8 [MQTT5-3.9.3-2]. */
    static final Set<Integer> SUBACK_REASON_CODES = Set.of(0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97,
            0x9E, 0xA1, 0xA2);
    /** Unsubscribe Reason Codes, Table 3-9 [MQTT5-3.11.3-2]. */
    static final Set<Integer> UNSUBACK_REASON_CODES = Set.of(0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91);

    /** Epoch millis as the broker sees them for message expiry. */
    static final AtomicLong clock = new AtomicLong(System.currentTimeMillis());

    static BrokerConfig config() {
        return BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxPacketSize(MAX_PACKET_SIZE).withMaxKeepAliveSeconds(60))
                .withAuth(new BrokerConfig.Auth(true, Map.of(USER, PASSWORD),
                        List.of("deny publish forbidden/#", "deny subscribe forbidden/#"), true))
                .withFeatures(Features.defaults().withReceiveMaximum(RECEIVE_MAXIMUM)
                        .withTopicAliasMaximum(TOPIC_ALIAS_MAXIMUM).withMaxSessionExpirySeconds(MAX_SESSION_EXPIRY));
    }

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(config(), clock::get);
    }

    /** An MQTT 5 CONNECT with Clean Start 0 and these properties. */
    static RawMqttClient.Connect resume5(String clientId, byte[]... props) {
        return RawMqttClient.connectPacket(clientId).cleanSession(false).v5(props);
    }

    /** An MQTT 5 SUBSCRIBE of several filters, each with its options byte, and no properties. */
    static byte[] subscribe5(int packetId, Object... filtersAndOptions) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(new byte[] {(byte) (packetId >> 8), (byte) packetId});
        parts.add(RawMqttClient.props());
        for (int i = 0; i < filtersAndOptions.length; i += 2) {
            parts.add(RawMqttClient.string((String) filtersAndOptions[i]));
            parts.add(new byte[] {(byte) (int) (Integer) filtersAndOptions[i + 1]});
        }
        return RawMqttClient.packet(RawMqttClient.SUBSCRIBE, 0x02, RawMqttClient.concat(parts.toArray(byte[][]::new)));
    }

    /** An MQTT 5 UNSUBSCRIBE of these filters, without properties. */
    static byte[] unsubscribe5(int packetId, String... filters) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(new byte[] {(byte) (packetId >> 8), (byte) packetId});
        parts.add(RawMqttClient.props());
        for (String f : filters) {
            parts.add(RawMqttClient.string(f));
        }
        return RawMqttClient.packet(RawMqttClient.UNSUBSCRIBE, 0x02,
                RawMqttClient.concat(parts.toArray(byte[][]::new)));
    }

    /** An MQTT 5 PUBLISH without properties. */
    static byte[] publish(String topic, String payload, int qos, boolean retain, int packetId) {
        return RawMqttClient.publish5(topic, Mqtt5Bytes.utf8(payload), qos, retain, packetId, RawMqttClient.props());
    }

    /** The DISCONNECT the broker sends before it closes the connection; fails if it closes without one. */
    static Packet awaitDisconnect(RawMqttClient c) {
        Packet last = RawClients.awaitDisconnect(c);
        assertThat(DISCONNECT_REASON_CODES).as("a DISCONNECT reason code [MQTT5-3.14.2-1]").contains(last.reasonCode());
        return last;
    }

    /** Asserts that the broker closed the connection with nothing but, at most, a refusing CONNACK. */
    static void assertRefusedOrClosed(RawMqttClient c) {
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got).as("at most a refusing CONNACK before the close").hasSizeLessThanOrEqualTo(1);
        if (!got.isEmpty()) {
            assertThat(got.get(0).typeName()).isEqualTo("CONNACK");
            assertThat(got.get(0).reasonCode()).as("a refusal").isGreaterThanOrEqualTo(0x80);
            assertThat(CONNECT_REASON_CODES).contains(got.get(0).reasonCode());
        }
    }

    /** The property ids of a packet, in order. */
    static List<Integer> propertyIds(Packet p) {
        return p.propertyList().stream().map(x -> x[0][0] & 0xFF).toList();
    }

    /** Size on the wire of a received packet: first byte, Remaining Length, body. */
    static int wireSize(Packet p) {
        return 1 + RawMqttClient.remainingLength(p.body().length).length + p.body().length;
    }
}
