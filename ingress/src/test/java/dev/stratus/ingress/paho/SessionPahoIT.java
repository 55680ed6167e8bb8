package dev.stratus.ingress.paho;

import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.paho.PahoClients.Recorder;
import dev.stratus.ingress.session.Session;
import dev.stratus.ingress.support.TestBroker;
import dev.stratus.state.model.SessionKey;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.stratus.ingress.paho.PahoClients.message;
import static dev.stratus.ingress.paho.PahoClients.options;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.stratus.ingress.paho.PahoClients.await;

/** Clean and persistent sessions (MQTT 3.1.1 sections 3.1.2.4, 3.2.2.2 and 4.1) with Paho v3 clients. */
class SessionPahoIT {

    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static TestBroker shared;
    private static MqttClient sharedPublisher;
    /** The broker of the running test: the shared one unless the test needs other limits. */
    private TestBroker broker;
    private TestBroker own;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeAll
    static void startShared() throws Exception {
        shared = TestBroker.start();
        sharedPublisher = PahoClients.connect(shared, "publisher");
    }

    @AfterAll
    static void stopShared() {
        PahoClients.close(sharedPublisher);
        shared.close();
    }

    @BeforeEach
    void useShared() {
        broker = shared;
    }

    @AfterEach
    void tearDown() {
        clients.forEach(PahoClients::close);
        if (own != null) {
            own.close();
        }
    }

    private void startOwn(BrokerConfig config) {
        own = TestBroker.start(config);
        broker = own;
    }

    private Session session(String clientId) {
        return broker.broker().sessions().get(new SessionKey(broker.broker().tenant(), clientId));
    }

    private MqttClient connect(String clientId, boolean cleanSession, Recorder recorder) throws Exception {
        MqttClient c = PahoClients.connect(broker, clientId, cleanSession, recorder);
        clients.add(c);
        return c;
    }

    /** Connects and returns the session present flag of the CONNACK. */
    private boolean connectForSessionPresent(String clientId, boolean cleanSession, Recorder recorder)
            throws Exception {
        MqttClient c = PahoClients.client(broker, clientId);
        clients.add(c);
        if (recorder != null) {
            c.setCallback(recorder);
        }
        IMqttToken token = c.connectWithResult(options(cleanSession));
        return token.getSessionPresent();
    }

    /** DISCONNECT, and wait until the broker has let go of the connection so that messages are queued. */
    private void goOffline(MqttClient c) throws Exception {
        String id = c.getClientId();
        c.disconnect(1_000);
        await().atMost(WAIT).until(() -> {
            Session s = session(id);
            return s == null || s.connection() == null;
        });
    }

    private MqttClient lastClient() {
        return clients.get(clients.size() - 1);
    }

    private MqttClient publisher() throws Exception {
        return broker == shared ? sharedPublisher : connect("publisher", true, null);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-1] CleanSession=1: session present is 0, also on reconnect")
    void cleanSessionNeverReportsSessionPresent() throws Exception {
        assertThat(connectForSessionPresent("clean", true, null)).isFalse();
        MqttClient first = lastClient();
        first.subscribe("clean/t", 1);
        goOffline(first);
        assertThat(connectForSessionPresent("clean", true, null)).isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-2] [MQTT-3.2.2-3] CleanSession=0: session present 0 for a new session, 1 on resume")
    void persistentSessionReportsSessionPresentOnlyWhenResumed() throws Exception {
        assertThat(connectForSessionPresent("durable", false, null)).isFalse();
        goOffline(lastClient());
        assertThat(connectForSessionPresent("durable", false, null)).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] subscriptions of a persistent session stay while it is offline and deliver on resume")
    void persistentSessionKeepsSubscriptionsWhileOffline() throws Exception {
        MqttClient sub = connect("keeper", false, null);
        sub.subscribe("keep/+", 1);
        goOffline(sub);
        assertThat(session("keeper").subscriptions()).containsOnlyKeys("keep/+");

        MqttClient pub = publisher();
        pub.publish("keep/a", message("while-offline", 1, false));

        Recorder recorder = new Recorder();
        connect("keeper", false, recorder); // no SUBSCRIBE this time
        await().atMost(WAIT).until(() -> recorder.count() == 1);
        pub.publish("keep/b", message("after-resume", 1, false));
        await().atMost(WAIT).until(() -> recorder.count() == 2);
        assertThat(recorder.briefs()).containsExactly("keep/a:while-offline:1", "keep/b:after-resume:1");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-5] [MQTT-4.6.0-6] QoS 1 and 2 messages published while offline are delivered on resume, in order")
    void queuedQos1And2MessagesAreDeliveredInOrderOnResume() throws Exception {
        MqttClient sub = connect("queued", false, null);
        sub.subscribe("q/#", 2);
        goOffline(sub);

        MqttClient pub = publisher();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int qos = i % 2 == 0 ? 1 : 2;
            pub.publish("q/t", message("m" + i, qos, false));
            expected.add("q/t:m" + i + ":" + qos);
        }

        Recorder recorder = new Recorder();
        connect("queued", false, recorder);
        await().atMost(WAIT).until(() -> recorder.count() >= expected.size());
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> recorder.count() == expected.size());
        // Paho hands a QoS 2 message to the application only at PUBREL, one round trip after the QoS 1 messages
        // sent beside it: order is only observable per topic and QoS, which is what [MQTT-4.6.0-6] requires
        for (String qos : List.of(":1", ":2")) {
            assertThat(recorder.briefs().stream().filter(b -> b.endsWith(qos)))
                    .containsExactlyElementsOf(expected.stream().filter(b -> b.endsWith(qos)).toList());
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-5] QoS 0 messages are not queued for an offline session")
    void qos0MessagesAreNotQueuedWhileOffline() throws Exception {
        MqttClient sub = connect("q0", false, null);
        sub.subscribe("z/t", 2);
        goOffline(sub);
        long droppedBefore = broker.broker().stats().dropped(DropReason.OFFLINE_QOS0);

        MqttClient pub = publisher();
        pub.publish("z/t", message("zero", 0, false));
        pub.publish("z/t", message("one", 1, false));
        await().atMost(WAIT).until(() ->
                broker.broker().stats().dropped(DropReason.OFFLINE_QOS0) == droppedBefore + 1);

        Recorder recorder = new Recorder();
        connect("q0", false, recorder);
        await().atMost(WAIT).until(() -> recorder.count() == 1);
        await().during(QUIET).atMost(WAIT).until(() -> recorder.count() == 1);
        assertThat(recorder.payloads()).containsExactly("one");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-5] the offline queue is bounded: the oldest messages are dropped and counted")
    void fullOfflineQueueDropsTheOldestAndCountsIt() throws Exception {
        startOwn(BrokerConfig.forTests().withLimits(BrokerConfig.Limits.defaults().withMaxQueued(3)));
        MqttClient sub = connect("bounded", false, null);
        sub.subscribe("b/t", 1);
        goOffline(sub);

        MqttClient pub = publisher();
        for (int i = 1; i <= 5; i++) {
            pub.publish("b/t", message("m" + i, 1, false));
        }
        assertThat(broker.broker().stats().dropped(DropReason.QUEUE_FULL)).isEqualTo(2);

        Recorder recorder = new Recorder();
        connect("bounded", false, recorder);
        await().atMost(WAIT).until(() -> recorder.count() == 3);
        await().during(QUIET).atMost(WAIT).until(() -> recorder.count() == 3);
        assertThat(recorder.payloads()).containsExactly("m3", "m4", "m5");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-6] CleanSession=1 discards the previous session: its subscriptions and queued messages")
    void cleanSessionDiscardsThePreviousPersistentSession() throws Exception {
        MqttClient sub = connect("discard", false, null);
        sub.subscribe("d/t", 1);
        goOffline(sub);
        MqttClient pub = publisher();
        pub.publish("d/t", message("queued", 1, false));

        Recorder clean = new Recorder();
        assertThat(connectForSessionPresent("discard", true, clean)).isFalse();
        pub.publish("d/t", message("after-clean", 1, false));
        await().during(QUIET).atMost(WAIT).until(() -> clean.count() == 0);
        assertThat(session("discard").subscriptions()).isEmpty();
        goOffline(lastClient());

        // [MQTT-3.1.2-6] the clean session ended with its connection: nothing to resume
        Recorder later = new Recorder();
        assertThat(connectForSessionPresent("discard", false, later)).isFalse();
        pub.publish("d/t", message("later", 1, false));
        await().during(QUIET).atMost(WAIT).until(() -> later.count() == 0);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-6] a clean session's subscriptions end with its connection")
    void cleanSessionSubscriptionsEndWithTheConnection() throws Exception {
        MqttClient sub = connect("ephemeral", true, null);
        sub.subscribe("e/t", 1);
        int withIt = broker.broker().subscriptionCount();
        assertThat(session("ephemeral").subscriptions()).containsOnlyKeys("e/t");
        goOffline(sub);
        await().atMost(WAIT).until(() -> session("ephemeral") == null);
        assertThat(broker.broker().subscriptionCount()).isLessThan(withIt);
    }
}
