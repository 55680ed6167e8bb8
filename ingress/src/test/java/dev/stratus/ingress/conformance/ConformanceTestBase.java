package dev.stratus.ingress.conformance;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.TestBroker;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One broker per test class (configured by {@link #config()}) and raw-socket clients closed after each test.
 * Client ids and topics are made unique per test with {@link #unique(String)}, so tests of a class do not see each
 * other's sessions or messages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConformanceTestBase {

    /** How long the broker may take to answer, or to close a connection it must close. */
    static final Duration PROMPTLY = Duration.ofSeconds(2);
    /** How long to listen to show that the broker sends nothing (a socket read timeout). */
    static final Duration QUIET = Duration.ofMillis(300);

    private static final AtomicInteger COUNTER = new AtomicInteger();

    TestBroker broker;
    private final List<RawMqttClient> clients = new ArrayList<>();

    BrokerConfig config() {
        return BrokerConfig.forTests();
    }

    @BeforeAll
    void startBroker() {
        broker = TestBroker.start(config());
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(RawMqttClient::close);
        clients.clear();
    }

    /** {@code prefix} followed by a number unique in this JVM: for client ids and topic levels. */
    static String unique(String prefix) {
        return prefix + COUNTER.incrementAndGet();
    }

    static ConditionFactory await() {
        return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).atMost(PROMPTLY);
    }

    /** A TCP connection that has sent nothing yet; closed after the test. */
    RawMqttClient open() {
        RawMqttClient c = RawMqttClient.open(broker);
        clients.add(c);
        return c;
    }

    /** Connected with CleanSession=1 (asserts CONNACK 0x00); closed after the test. */
    RawMqttClient connected(String clientId) {
        return connected(RawMqttClient.connectPacket(clientId));
    }

    RawMqttClient connected(RawMqttClient.Connect connect) {
        RawMqttClient c = RawMqttClient.connected(broker.tcpPort(), connect);
        clients.add(c);
        return c;
    }

    /** Connected with CleanSession=0. */
    RawMqttClient persistent(String clientId) {
        return connected(RawMqttClient.connectPacket(clientId).cleanSession(false));
    }

    /** Sends the packet on a fresh connection and asserts the broker closes it without sending anything. */
    void assertClosedWithoutAnswer(byte[] packet) {
        RawMqttClient c = open();
        c.send(packet);
        assertThat(c.awaitClosed(PROMPTLY)).as("nothing sent before closing").isEmpty();
    }

    /** Reads the next PUBLISH, skipping nothing: asserts that the next packet is one. */
    static Packet nextPublish(RawMqttClient c) {
        return c.expect(RawMqttClient.PUBLISH, PROMPTLY);
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
