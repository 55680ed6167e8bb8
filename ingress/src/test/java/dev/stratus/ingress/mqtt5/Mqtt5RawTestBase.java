package dev.stratus.ingress.mqtt5;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.config.Features;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One broker per test class for raw MQTT 5 packets: packets of at most {@value #MAX_PACKET_SIZE} bytes, a Receive
 * Maximum of {@value #RECEIVE_MAXIMUM}, {@value #TOPIC_ALIAS_MAXIMUM} topic aliases, sessions of at most
 * {@value #MAX_SESSION_EXPIRY} s, publishing and subscribing under {@code forbidden/} denied, and a clock for
 * message expiry that the tests move forward.
 */
abstract class Mqtt5RawTestBase {

    static final int MAX_PACKET_SIZE = 1024;
    static final int RECEIVE_MAXIMUM = 4;
    static final int TOPIC_ALIAS_MAXIMUM = 4;
    static final long MAX_SESSION_EXPIRY = 3600;
    static final Duration PROMPTLY = Duration.ofSeconds(3);

    static TestBroker broker;
    /** Epoch millis as the broker sees them for message expiry. */
    static final AtomicLong clock = new AtomicLong(System.currentTimeMillis());

    private final List<RawMqttClient> clients = new ArrayList<>();

    static BrokerConfig config() {
        return BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxPacketSize(MAX_PACKET_SIZE).withMaxKeepAliveSeconds(60))
                .withAuth(new BrokerConfig.Auth(true, Map.of(),
                        List.of("deny publish forbidden/#", "deny subscribe forbidden/#"), true))
                .withFeatures(Features.defaults().withReceiveMaximum(RECEIVE_MAXIMUM)
                        .withTopicAliasMaximum(TOPIC_ALIAS_MAXIMUM).withMaxSessionExpirySeconds(MAX_SESSION_EXPIRY));
    }

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(config(), clock::get);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(RawMqttClient::close);
        clients.clear();
        await("connections closed").atMost(Duration.ofSeconds(5))
                .until(() -> broker.broker().stats().connections() == 0);
    }

    /** An MQTT 5 CONNECT with Clean Start and these properties. */
    static RawMqttClient.Connect connect5(String clientId, byte[]... props) {
        return RawMqttClient.connectPacket(clientId).v5(props);
    }

    /** A raw connection that has sent nothing; closed after the test. */
    RawMqttClient open() {
        RawMqttClient c = RawMqttClient.open(broker);
        clients.add(c);
        return c;
    }

    /** Connected with MQTT 5, Clean Start and no properties. */
    RawMqttClient connected(String clientId) {
        return connected(connect5(clientId));
    }

    RawMqttClient connected(RawMqttClient.Connect connect) {
        RawMqttClient c = RawMqttClient.connected(broker.tcpPort(), connect);
        clients.add(c);
        return c;
    }

    /** Subscribes to one filter with the MQTT 5 options byte and returns the SUBACK. */
    static Packet subscribe(RawMqttClient c, int packetId, String filter, int options, byte[]... props) {
        c.send(RawMqttClient.subscribe5(packetId, RawMqttClient.props(props), filter, options));
        return c.readUntil(RawMqttClient.SUBACK, PROMPTLY);
    }

    /** The DISCONNECT the broker sends before it closes the connection; fails if it closes without one. */
    static Packet awaitDisconnect(RawMqttClient c) {
        List<Packet> before = c.awaitClosed(PROMPTLY);
        assertThat(before).as("packets before the broker closed").isNotEmpty();
        Packet last = before.get(before.size() - 1);
        assertThat(last.typeName()).isEqualTo("DISCONNECT");
        return last;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A two-byte-length-prefixed string property value as text. */
    static String stringValue(byte[] value) {
        return new String(value, 2, value.length - 2, StandardCharsets.UTF_8);
    }

    static long u32(byte[] v) {
        return ((v[0] & 0xFFL) << 24) | ((v[1] & 0xFFL) << 16) | ((v[2] & 0xFFL) << 8) | (v[3] & 0xFFL);
    }

    static int u16(byte[] v) {
        return ((v[0] & 0xFF) << 8) | (v[1] & 0xFF);
    }
}
