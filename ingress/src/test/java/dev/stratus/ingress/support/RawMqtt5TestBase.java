package dev.stratus.ingress.support;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/**
 * One broker per test class, started by the subclass's {@code @BeforeAll} into {@link #broker} with the
 * configuration it tests, and stopped here; raw-socket clients opened with {@link #open()} and
 * {@link #connected} are closed after each test, which then waits until the broker counts no connection, so
 * that no test sees another's clients. The packet and byte helpers are {@link RawClients}'s and
 * {@link Mqtt5Bytes}'s.
 */
public abstract class RawMqtt5TestBase {

    protected static TestBroker broker;

    private final RawClients clients = new RawClients(() -> broker.tcpPort());

    @AfterAll
    static void stopRawBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    @AfterEach
    void closeRawClients() {
        clients.closeAndAwaitNoConnections(broker);
    }

    /** A raw connection that has sent nothing; closed after the test. */
    protected RawMqttClient open() {
        return clients.open();
    }

    /** Connected with MQTT 5, Clean Start and no properties; closed after the test. */
    protected RawMqttClient connected(String clientId) {
        return clients.connected(clientId);
    }

    /** Connected with this CONNECT (asserts that it is accepted); closed after the test. */
    protected RawMqttClient connected(RawMqttClient.Connect connect) {
        return clients.connected(connect);
    }
}
