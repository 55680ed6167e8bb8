package dev.stratus.ingress.paho;

import dev.stratus.ingress.paho.PahoClients.Received;
import dev.stratus.ingress.paho.PahoClients.Recorder;
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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.stratus.ingress.paho.PahoClients.options;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.stratus.ingress.paho.PahoClients.await;

/**
 * Will messages (MQTT 3.1.1 section 3.1.2.5). A raw socket plays the client that goes away (Paho cannot be
 * silenced or cut off on purpose); Paho clients observe what the broker publishes.
 */
class WillPahoIT {

    private static final Duration QUIET = Duration.ofMillis(500);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static TestBroker broker;
    /** Sees every will: each test uses its own topic below will/. */
    private static final Recorder inbox = new Recorder();
    private static MqttClient watcher;
    private final List<MqttClient> clients = new ArrayList<>();
    private final List<RawMqttClient> raws = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
        watcher = PahoClients.connect(broker, "will-watcher", true, inbox);
        watcher.subscribe("will/#", 2);
    }

    @AfterAll
    static void stopBroker() {
        PahoClients.close(watcher);
        broker.close();
    }

    /** What the watcher received on one topic. */
    private static List<Received> on(String topic) {
        return inbox.onTopic(topic);
    }

    private static List<String> briefsOn(String topic) {
        return on(topic).stream().map(Received::brief).toList();
    }

    @AfterEach
    void tearDown() {
        raws.forEach(RawMqttClient::close);
        clients.forEach(PahoClients::close);
    }

    private Recorder watch(String clientId, String filter, int qos) throws Exception {
        Recorder recorder = new Recorder();
        MqttClient c = PahoClients.connect(broker, clientId, true, recorder);
        clients.add(c);
        c.subscribe(filter, qos);
        return recorder;
    }

    /** A raw client connected with a will, keep alive 60 s unless given. */
    private RawMqttClient rawWithWill(String clientId, String topic, String payload, int qos, boolean retain,
                                      int keepAlive) {
        RawMqttClient raw = RawMqttClient.connected(broker.tcpPort(), RawMqttClient.connectPacket(clientId)
                .keepAlive(keepAlive)
                .will(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain));
        raws.add(raw);
        return raw;
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] [MQTT-3.1.2-24] the will is published when the keep alive expires")
    void willIsPublishedWhenKeepAliveExpires() throws Exception {
        RawMqttClient silent = rawWithWill("will-ka", "will/ka", "timed out", 1, false, 1);

        // 1.5 x 1 s of silence
        await().atMost(WAIT).until(() -> on("will/ka").size() == 1);
        assertThat(briefsOn("will/ka")).containsExactly("will/ka:timed out:1");
        silent.awaitClosed(WAIT);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] the will is published when the network connection is closed without DISCONNECT")
    void willIsPublishedWhenTheSocketIsClosedAbruptly() throws Exception {
        RawMqttClient raw = rawWithWill("will-abort", "will/abort", "cut off", 1, false, 60);
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> on("will/abort").isEmpty());

        raw.abort();
        await().atMost(WAIT).until(() -> on("will/abort").size() == 1);
        assertThat(briefsOn("will/abort")).containsExactly("will/abort:cut off:1");
    }

    @Test
    @DisplayName("[MQTT-3.1.0-2] [MQTT-3.1.2-8] a protocol error (second CONNECT) closes the connection and publishes the will")
    void willIsPublishedOnProtocolError() throws Exception {
        RawMqttClient raw = rawWithWill("will-proto", "will/proto", "violated", 1, false, 60);

        raw.send(RawMqttClient.connectPacket("will-proto").build());
        raw.awaitClosed(WAIT);
        await().atMost(WAIT).until(() -> on("will/proto").size() == 1);
        assertThat(briefsOn("will/proto")).containsExactly("will/proto:violated:1");
    }

    @Test
    @DisplayName("[MQTT-3.14.4-3] [MQTT-3.1.2-10] no will after DISCONNECT")
    void willIsNotPublishedAfterDisconnect() throws Exception {
        MqttClient leaving = PahoClients.client(broker, "will-bye");
        clients.add(leaving);
        MqttConnectOptions o = options(true);
        o.setWill("will/bye", "should not appear".getBytes(StandardCharsets.UTF_8), 1, false);
        leaving.connect(o);
        leaving.disconnect(1_000);

        await().atMost(WAIT).until(() -> broker.broker().sessions().get(
                new SessionKey(broker.broker().tenant(), "will-bye")) == null);
        await().during(QUIET).atMost(WAIT).until(() -> on("will/bye").isEmpty());
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] the will a Paho client set is published when it closes its socket without DISCONNECT")
    void pahoWillIsPublishedWhenItsSocketClosesWithoutDisconnect() throws Exception {
        MqttClient dying = PahoClients.client(broker, "will-paho");
        clients.add(dying);
        MqttConnectOptions o = options(true);
        o.setWill("will/paho", "paho gone".getBytes(StandardCharsets.UTF_8), 2, false);
        dying.connect(o);

        // the client ends without DISCONNECT: Paho closes its socket only
        dying.disconnectForcibly(0, 1, false);
        await().atMost(WAIT).until(() -> on("will/paho").size() == 1);
        Received r = on("will/paho").get(0);
        assertThat(r.payload()).isEqualTo("paho gone");
        assertThat(r.qos()).isEqualTo(2);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-14] [MQTT-3.1.2-17] will QoS and will retain are honoured: a later subscriber gets the retained will")
    void willQosAndRetainAreHonoured() throws Exception {
        RawMqttClient raw = rawWithWill("will-ret", "will/retained", "last words", 1, true, 60);
        raw.abort();

        await().atMost(WAIT).until(() -> on("will/retained").size() == 1);
        Received forwarded = on("will/retained").get(0);
        assertThat(forwarded.qos()).isEqualTo(1); // the will QoS, not the (higher) subscription QoS
        assertThat(forwarded.retained()).isFalse(); // [MQTT-3.3.1-9] forwarded to an existing subscription

        Recorder later = watch("will-ret-later", "will/retained", 2);
        await().atMost(WAIT).until(() -> later.count() == 1);
        Received retained = later.messages.get(0);
        assertThat(retained.brief()).isEqualTo("will/retained:last words:1");
        assertThat(retained.retained()).isTrue(); // [MQTT-3.1.2-17] published as a retained message
    }
}
