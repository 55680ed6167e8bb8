package dev.stratus.ingress.support;

import dev.stratus.ingress.support.RawMqttClient.Packet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The raw-socket clients a test opens, so that they are closed after it ({@link #close()}, from an
 * {@code @AfterEach}), and the helpers the raw MQTT 5 tests share: {@link #connect5}, {@link #subscribe} and
 * {@link #awaitDisconnect}.
 */
public final class RawClients implements AutoCloseable {

    /** How long the broker may take to answer, or to close a connection it must close. */
    public static final Duration PROMPTLY = Duration.ofSeconds(3);

    private final IntSupplier port;
    private final List<RawMqttClient> clients = new ArrayList<>();

    /** Clients of the TCP listener at {@code port}, asked when a client is opened. */
    public RawClients(IntSupplier port) {
        this.port = port;
    }

    /** Clients that name the port of each connection themselves ({@link #connected(int, RawMqttClient.Connect)}). */
    public RawClients() {
        this(() -> {
            throw new IllegalStateException("no default port: name one");
        });
    }

    /** A raw connection that has sent nothing; closed after the test. */
    public RawMqttClient open() {
        return track(RawMqttClient.open(port.getAsInt()));
    }

    /** Connected with MQTT 5, Clean Start and no properties; closed after the test. */
    public RawMqttClient connected(String clientId) {
        return connected(connect5(clientId));
    }

    /** Connected with this CONNECT (asserts that it is accepted); closed after the test. */
    public RawMqttClient connected(RawMqttClient.Connect connect) {
        return connected(port.getAsInt(), connect);
    }

    /** Connected to the listener at {@code port} with this CONNECT (asserts that it is accepted). */
    public RawMqttClient connected(int port, RawMqttClient.Connect connect) {
        return track(RawMqttClient.connected(port, connect));
    }

    /** Closes {@code c} after the test too. */
    public RawMqttClient track(RawMqttClient c) {
        clients.add(c);
        return c;
    }

    /** Closes every client opened so far. */
    @Override
    public void close() {
        clients.forEach(RawMqttClient::close);
        clients.clear();
    }

    /** Closes every client opened so far and waits until the broker counts no connection. */
    public void closeAndAwaitNoConnections(TestBroker broker) {
        close();
        await("connections closed").atMost(Duration.ofSeconds(5))
                .until(() -> broker.broker().stats().connections() == 0);
    }

    /** An MQTT 5 CONNECT with Clean Start and these properties. */
    public static RawMqttClient.Connect connect5(String clientId, byte[]... props) {
        return RawMqttClient.connectPacket(clientId).v5(props);
    }

    /** Subscribes to one filter with the MQTT 5 options byte and returns the SUBACK. */
    public static Packet subscribe(RawMqttClient c, int packetId, String filter, int options, byte[]... props) {
        c.send(RawMqttClient.subscribe5(packetId, RawMqttClient.props(props), filter, options));
        return c.readUntil(RawMqttClient.SUBACK, PROMPTLY);
    }

    /** The DISCONNECT the broker sends before it closes the connection; fails if it closes without one. */
    public static Packet awaitDisconnect(RawMqttClient c) {
        List<Packet> before = c.awaitClosed(PROMPTLY);
        assertThat(before).as("packets before the broker closed").isNotEmpty();
        Packet last = before.get(before.size() - 1);
        assertThat(last.typeName()).isEqualTo("DISCONNECT");
        return last;
    }
}
