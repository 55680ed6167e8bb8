package dev.stratus.ingress.paho;

import dev.stratus.ingress.paho.PahoClients.Recorder;
import dev.stratus.ingress.session.Session;
import dev.stratus.ingress.support.TestBroker;
import dev.stratus.state.model.SessionKey;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.stratus.ingress.paho.PahoClients.message;
import static dev.stratus.ingress.paho.PahoClients.options;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.stratus.ingress.paho.PahoClients.await;

/** A second connection with the client id of a connected client takes its session over [MQTT-3.1.4-2]. */
class TakeoverPahoIT {

    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static TestBroker broker;
    private static MqttClient pub;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
        pub = PahoClients.connect(broker, "takeover-pub");
    }

    @AfterAll
    static void stopBroker() {
        PahoClients.close(pub);
        broker.close();
    }

    @AfterEach
    void tearDown() {
        clients.forEach(PahoClients::close);
    }

    private static Session session(String clientId) {
        return broker.broker().sessions().get(new SessionKey(broker.broker().tenant(), clientId));
    }

    private MqttClient connect(String clientId, boolean cleanSession, Recorder recorder) throws Exception {
        MqttClient c = PahoClients.connect(broker, clientId, cleanSession, recorder);
        clients.add(c);
        return c;
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] a second CONNECT with the same client id disconnects the first connection")
    void secondConnectionWithSameClientIdDisconnectsTheFirst() throws Exception {
        Recorder firstEvents = new Recorder();
        MqttClient first = connect("twin", true, firstEvents);
        Recorder secondEvents = new Recorder();
        MqttClient second = connect("twin", true, secondEvents);

        await().atMost(WAIT).untilTrue(firstEvents.lost);
        assertThat(first.isConnected()).isFalse();
        await().during(QUIET).atMost(WAIT).until(() -> second.isConnected() && !secondEvents.lost.get());
        assertThat(session("twin").connection())
                .isNotNull();
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] [MQTT-3.2.2-2] the persistent session continues on the new connection")
    void persistentSessionContinuesOnTheNewConnection() throws Exception {
        Recorder firstEvents = new Recorder();
        MqttClient first = connect("roamer", false, firstEvents);
        first.subscribe("roam/#", 1);

        MqttClient second = PahoClients.client(broker, "roamer");
        clients.add(second);
        Recorder secondEvents = new Recorder();
        second.setCallback(secondEvents);
        assertThat(second.connectWithResult(options(false)).getSessionPresent()).isTrue();
        await().atMost(WAIT).untilTrue(firstEvents.lost);

        pub.publish("roam/x", message("to-the-new-one", 1, false));
        await().atMost(WAIT).until(() -> secondEvents.count() == 1);
        assertThat(secondEvents.briefs()).containsExactly("roam/x:to-the-new-one:1");
        assertThat(firstEvents.count()).isZero();
        assertThat(session("roamer").subscriptions()).containsOnlyKeys("roam/#");
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] a message the first connection did not acknowledge is re-sent with DUP to the second")
    void unacknowledgedMessageIsResentWithDupAfterTakeover() throws Exception {
        Recorder firstEvents = new Recorder();
        MqttClient first = PahoClients.client(broker, "forgetful");
        clients.add(first);
        first.setCallback(firstEvents);
        first.setManualAcks(true); // never acknowledges
        first.connect(options(false));
        first.subscribe("pending/t", 1);

        pub.publish("pending/t", message("unacked", 1, false));
        await().atMost(WAIT).until(() -> firstEvents.count() == 1);
        assertThat(firstEvents.messages.get(0).duplicate()).isFalse();

        Recorder secondEvents = new Recorder();
        connect("forgetful", false, secondEvents);
        await().atMost(WAIT).until(() -> secondEvents.count() == 1);
        assertThat(secondEvents.messages.get(0).payload()).isEqualTo("unacked");
        assertThat(secondEvents.messages.get(0).duplicate()).isTrue();
        await().during(QUIET).atMost(WAIT).until(() -> secondEvents.count() == 1);
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] [MQTT-3.1.2-6] taking over with CleanSession=1 discards the persistent session")
    void takeoverWithCleanSessionDiscardsThePersistentSession() throws Exception {
        Recorder firstEvents = new Recorder();
        MqttClient first = connect("reset", false, firstEvents);
        first.subscribe("reset/t", 1);

        MqttClient second = PahoClients.client(broker, "reset");
        clients.add(second);
        Recorder secondEvents = new Recorder();
        second.setCallback(secondEvents);
        assertThat(second.connectWithResult(options(true)).getSessionPresent()).isFalse();
        await().atMost(WAIT).untilTrue(firstEvents.lost);

        pub.publish("reset/t", message("nobody", 1, false));
        await().during(QUIET).atMost(WAIT).until(() -> secondEvents.count() == 0 && firstEvents.count() == 0);
        assertThat(session("reset").subscriptions()).isEmpty();
    }
}
