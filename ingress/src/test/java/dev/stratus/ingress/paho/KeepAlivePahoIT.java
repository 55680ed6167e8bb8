package dev.stratus.ingress.paho;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.paho.PahoClients.Recorder;
import dev.stratus.ingress.session.Session;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.TestBroker;
import dev.stratus.state.model.SessionKey;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.stratus.ingress.paho.PahoClients.options;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.stratus.ingress.paho.PahoClients.await;

/** Keep alive and PINGREQ / PINGRESP (MQTT 3.1.1 sections 3.1.2.10, 3.12 and 3.13). */
class KeepAlivePahoIT {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static TestBroker broker;
    private final List<MqttClient> clients = new ArrayList<>();
    private final List<RawMqttClient> raws = new ArrayList<>();
    private final List<TestBroker> ownBrokers = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void tearDown() {
        raws.forEach(RawMqttClient::close);
        clients.forEach(PahoClients::close);
        ownBrokers.forEach(TestBroker::close);
    }

    private RawMqttClient raw(TestBroker b, String clientId, int keepAlive) {
        RawMqttClient raw = RawMqttClient.connected(b.tcpPort(),
                RawMqttClient.connectPacket(clientId).keepAlive(keepAlive));
        raws.add(raw);
        return raw;
    }

    /** Awaitility condition: reads (with a short socket timeout) and reports whether the broker has closed. */
    private static boolean closedByBroker(RawMqttClient raw) {
        raw.pollPacket(Duration.ofMillis(20));
        return raw.closedByBroker();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23] [MQTT-3.12.4-1] a Paho client with keep alive 1 s pings and stays connected")
    void pahoClientWithShortKeepAliveStaysConnected() throws Exception {
        Recorder events = new Recorder();
        MqttClient c = PahoClients.client(broker, "pinger");
        clients.add(c);
        c.setCallback(events);
        MqttConnectOptions o = options(true);
        o.setKeepAliveInterval(1);
        c.connect(o);
        long opened = broker.broker().stats().connectionsOpened();

        // idle well beyond 1.5 x keep alive: only PINGREQ / PINGRESP keep the connection up
        await().during(Duration.ofMillis(3_200)).atMost(Duration.ofSeconds(5))
                .until(() -> c.isConnected() && !events.lost.get());
        assertThat(broker.broker().stats().connectionsOpened()).isEqualTo(opened);
        Session session = broker.broker().sessions().get(new SessionKey(broker.broker().tenant(), "pinger"));
        assertThat(session.connection()).isNotNull();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-24] a silent client is disconnected after 1.5 x its keep alive, not before the keep alive")
    void silentClientIsClosedAfterOneAndAHalfKeepAlive() {
        RawMqttClient silent = raw(broker, "silent", 1);
        await().pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .atLeast(Duration.ofMillis(1_000)).atMost(Duration.ofMillis(3_000))
                .until(() -> closedByBroker(silent));
    }

    @Test
    @DisplayName("[MQTT-3.12.4-1] [MQTT-3.1.2-24] PINGREQ is answered with PINGRESP and keeps the connection alive")
    void pingRequestsKeepTheConnectionAlive() {
        RawMqttClient pinger = raw(broker, "raw-pinger", 1);
        // 0.9 s of silence, a ping, 0.9 s more: 1.8 s in all, beyond the 1.5 s a silent client gets
        await().pollInSameThread().during(Duration.ofMillis(900)).atMost(WAIT).until(() -> !closedByBroker(pinger));
        pinger.send(RawMqttClient.pingreq());
        pinger.expect(RawMqttClient.PINGRESP, WAIT);
        await().pollInSameThread().during(Duration.ofMillis(900)).atMost(WAIT).until(() -> !closedByBroker(pinger));
        pinger.send(RawMqttClient.pingreq());
        pinger.expect(RawMqttClient.PINGRESP, WAIT);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-24] keep alive 0 gets the broker's maximum: a silent client is still disconnected")
    void keepAliveZeroIsCappedToTheConfiguredMaximum() {
        TestBroker strict = TestBroker.start(BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxKeepAliveSeconds(1)));
        ownBrokers.add(strict);
        RawMqttClient silent = raw(strict, "no-keepalive", 0);
        await().pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .atLeast(Duration.ofMillis(1_000)).atMost(Duration.ofMillis(3_000))
                .until(() -> closedByBroker(silent));
    }
}
