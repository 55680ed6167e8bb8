package dev.stratus.ingress.paho;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.paho.PahoClients.Received;
import dev.stratus.ingress.paho.PahoClients.Recorder;
import dev.stratus.ingress.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static dev.stratus.ingress.paho.PahoClients.message;
import static dev.stratus.ingress.paho.PahoClients.options;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.stratus.ingress.paho.PahoClients.await;

/** QoS 0, 1 and 2 in both directions, downgrade, overlapping subscriptions and the inflight window. */
class QosPahoIT {

    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static TestBroker shared;
    private static final Recorder matrixInbox = new Recorder();
    private static MqttClient matrixSub;
    private static MqttClient matrixPub;
    private final List<MqttClient> clients = new ArrayList<>();
    private final List<TestBroker> ownBrokers = new ArrayList<>();

    @BeforeAll
    static void startShared() throws Exception {
        shared = TestBroker.start();
        matrixSub = PahoClients.connect(shared, "matrix-sub", true, matrixInbox);
        matrixPub = PahoClients.connect(shared, "matrix-pub");
    }

    @AfterAll
    static void stopShared() {
        PahoClients.close(matrixSub, matrixPub);
        shared.close();
    }

    @AfterEach
    void tearDown() {
        clients.forEach(PahoClients::close);
        ownBrokers.forEach(TestBroker::close);
    }

    private MqttClient connect(TestBroker broker, String clientId, Recorder recorder) throws Exception {
        MqttClient c = PahoClients.connect(broker, clientId, true, recorder);
        clients.add(c);
        return c;
    }

    @ParameterizedTest(name = "published at QoS {0}, subscribed at QoS {1}: received at QoS {2}")
    @CsvSource({"0,0,0", "0,1,0", "0,2,0", "1,0,0", "1,1,1", "1,2,1", "2,0,0", "2,1,1", "2,2,2"})
    @DisplayName("[MQTT-3.8.4-6] delivered at the minimum of the published QoS and the granted QoS")
    void messageIsDeliveredAtTheMinimumOfPublishedAndGrantedQos(int publishedQos, int subscribedQos, int expectedQos)
            throws Exception {
        String topic = "qos/" + publishedQos + "/" + subscribedQos;
        int[] granted = matrixSub.subscribeWithResponse(new String[] {topic}, new int[] {subscribedQos})
                .getGrantedQos();
        assertThat(granted).containsExactly(subscribedQos); // [MQTT-3.9.3-1]

        matrixPub.publish(topic, message("hello", publishedQos, false)); // QoS 1/2: returns at PUBACK / PUBCOMP
        await().atMost(WAIT).until(() -> matrixInbox.onTopic(topic).size() == 1);
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> matrixInbox.onTopic(topic).size() == 1);
        Received r = matrixInbox.onTopic(topic).get(0);
        assertThat(r.payload()).isEqualTo("hello");
        assertThat(r.qos()).isEqualTo(expectedQos);
        assertThat(r.duplicate()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] QoS 2 in both directions: each of many messages is delivered exactly once")
    void qos2MessagesAreDeliveredExactlyOnce() throws Exception {
        Recorder recorder = new Recorder();
        MqttClient sub = connect(shared, "exactly-once-sub", recorder);
        sub.subscribe("once/t", 2);
        MqttClient pub = matrixPub;
        List<String> expected = IntStream.range(0, 50).mapToObj(i -> "m" + i).toList();
        for (String p : expected) {
            pub.publish("once/t", message(p, 2, false));
        }
        await().atMost(WAIT).until(() -> recorder.count() >= expected.size());
        await().during(QUIET).atMost(WAIT).until(() -> recorder.count() == expected.size());
        assertThat(recorder.payloads()).containsExactlyElementsOf(expected);
        assertThat(recorder.messages).allSatisfy(r -> assertThat(r.qos()).isEqualTo(2));
    }

    @Test
    @DisplayName("[MQTT-3.3.5-1] overlapping subscriptions deliver the message once, at the highest granted QoS")
    void overlappingSubscriptionsDeliverOnceAtTheMaximumQos() throws Exception {
        Recorder recorder = new Recorder();
        MqttClient sub = connect(shared, "overlap-sub", recorder);
        sub.subscribe(new String[] {"ov/+", "ov/#", "ov/x"}, new int[] {1, 2, 0});
        MqttClient pub = matrixPub;

        pub.publish("ov/x", message("two", 2, false));
        await().atMost(WAIT).until(() -> recorder.count() == 1);
        pub.publish("ov/x", message("one", 1, false));
        await().atMost(WAIT).until(() -> recorder.count() >= 2);
        await().during(QUIET).atMost(WAIT).until(() -> recorder.count() == 2);
        assertThat(recorder.briefs()).containsExactly("ov/x:two:2", "ov/x:one:1");
    }

    @Test
    @DisplayName("maxInflight: at most maxInflight unacknowledged QoS 1 messages; the rest follow as acks arrive")
    void unacknowledgedMessagesNeverExceedTheInflightWindow() throws Exception {
        TestBroker broker = TestBroker.start(BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxInflight(2)));
        ownBrokers.add(broker);
        Recorder recorder = new Recorder();
        MqttClient sub = PahoClients.client(broker, "window-sub");
        clients.add(sub);
        sub.setCallback(recorder);
        sub.setManualAcks(true);
        sub.connect(options(true));
        sub.subscribe("win/t", 1);

        MqttClient pub = connect(broker, "window-pub", null);
        List<String> expected = IntStream.range(0, 10).mapToObj(i -> "w" + i).toList();
        for (String p : expected) {
            pub.publish("win/t", message(p, 1, false));
        }
        // nothing acknowledged yet: the window holds two
        await().atMost(WAIT).until(() -> recorder.count() == 2);
        await().during(QUIET).atMost(WAIT).until(() -> recorder.count() == 2);

        // each acknowledgement opens the window by one
        sub.messageArrivedComplete(recorder.messages.get(0).id(), 1);
        await().atMost(WAIT).until(() -> recorder.count() == 3);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> recorder.count() == 3);

        int acked = 1;
        while (acked < expected.size()) {
            int next = acked;
            await().atMost(WAIT).until(() -> recorder.count() > next);
            sub.messageArrivedComplete(recorder.messages.get(acked).id(), 1);
            acked++;
        }
        assertThat(recorder.payloads()).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("[MQTT-4.6.0-6] with maxInflight=1 many messages all arrive, in order")
    void manyMessagesThroughASmallInflightWindowArriveInOrder(int qos) throws Exception {
        TestBroker broker = TestBroker.start(BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxInflight(1)));
        ownBrokers.add(broker);
        Recorder recorder = new Recorder();
        MqttClient sub = connect(broker, "narrow-sub", recorder);
        sub.subscribe("narrow/t", qos);
        MqttClient pub = connect(broker, "narrow-pub", null);
        List<String> expected = IntStream.range(0, 200).mapToObj(i -> "n" + i).toList();
        for (String p : expected) {
            MqttMessage m = message(p, qos, false);
            pub.publish("narrow/t", m);
        }
        await().atMost(WAIT).until(() -> recorder.count() >= expected.size());
        assertThat(recorder.payloads()).containsExactlyElementsOf(expected);
        assertThat(recorder.messages).allSatisfy(r -> assertThat(r.qos()).isEqualTo(qos));
    }
}
