package dev.stratus.ingress.raw;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.stratus.ingress.raw.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One broker per test class with small limits (packets of at most {@value #MAX_PACKET_SIZE} bytes, CONNECT within
 * 500 ms), and a healthy Paho client connected during each test.
 */
abstract class RawBrokerTestBase {

    static final int MAX_PACKET_SIZE = 1024;
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    /** How long a broker may take to close a connection it must close "at once". */
    static final Duration PROMPTLY = Duration.ofSeconds(2);

    static TestBroker broker;

    HealthyClient healthy;
    private final List<RawMqttClient> raws = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(BrokerConfig.forTests().withLimits(BrokerConfig.Limits.defaults()
                .withMaxPacketSize(MAX_PACKET_SIZE)
                .withConnectTimeout(CONNECT_TIMEOUT)));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void connectHealthyClient() {
        healthy = HealthyClient.connect(broker);
    }

    @AfterEach
    void closeClients() {
        raws.forEach(RawMqttClient::close);
        raws.clear();
        if (healthy != null) {
            healthy.close();
        }
        // nothing leaks from one test into the next
        await("connections closed").atMost(Duration.ofSeconds(5))
                .until(() -> broker.broker().stats().connections() == 0 && broker.node().openConnections() == 0);
    }

    /** A raw TCP connection that has sent nothing yet; closed after the test. */
    RawMqttClient open() {
        RawMqttClient c = RawMqttClient.open(broker);
        raws.add(c);
        return c;
    }

    /** A raw client connected with CleanSession=1; closed after the test. */
    RawMqttClient connected(String clientId) {
        return connected(RawMqttClient.connectPacket(clientId));
    }

    RawMqttClient connected(RawMqttClient.Connect connect) {
        RawMqttClient c = RawMqttClient.connected(broker.tcpPort(), connect);
        raws.add(c);
        return c;
    }

    /** Only the healthy client is left connected. */
    void awaitOnlyHealthyClientConnected() {
        await("only the healthy client is connected").atMost(PROMPTLY)
                .untilAsserted(() -> {
                    assertThat(broker.broker().stats().connections()).isEqualTo(1);
                    assertThat(broker.node().openConnections()).isEqualTo(1);
                });
    }
}
