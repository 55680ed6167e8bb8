package dev.stratus.ingress.paho;

import dev.stratus.ingress.paho.PahoClients.Received;
import dev.stratus.ingress.paho.PahoClients.Recorder;
import dev.stratus.ingress.support.TestBroker;
import dev.stratus.router.topic.TopicFilter;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.stratus.ingress.paho.PahoClients.await;
import static dev.stratus.ingress.paho.PahoClients.message;
import static dev.stratus.ingress.paho.PahoClients.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retained messages (MQTT 3.1.1 section 3.3.1.3) with Paho v3 clients. Retained messages are sent on every
 * SUBSCRIBE, so two long-lived subscriber clients play the "later subscriber" by subscribing anew in each test,
 * each test on its own topics.
 */
class RetainedPahoIT {

    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static TestBroker broker;
    private static MqttClient pub;
    private static final Recorder inboxA = new Recorder();
    private static final Recorder inboxB = new Recorder();
    private static MqttClient subA;
    private static MqttClient subB;
    private final List<String> filtersA = new ArrayList<>();
    private final List<String> filtersB = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
        pub = PahoClients.client(broker, "retain-pub");
        subA = PahoClients.client(broker, "retain-sub-a");
        subB = PahoClients.client(broker, "retain-sub-b");
        subA.setCallback(inboxA);
        subB.setCallback(inboxB);
        PahoClients.connectAll(options(true), pub, subA, subB);
    }

    @AfterAll
    static void stopBroker() {
        PahoClients.close(pub, subA, subB);
        broker.close();
    }

    @BeforeEach
    void emptyInboxes() {
        inboxA.messages.clear();
        inboxB.messages.clear();
    }

    @AfterEach
    void unsubscribe() throws MqttException {
        if (!filtersA.isEmpty()) {
            subA.unsubscribe(filtersA.toArray(String[]::new));
        }
        if (!filtersB.isEmpty()) {
            subB.unsubscribe(filtersB.toArray(String[]::new));
        }
    }

    /** Subscribes client A now; returns what A receives for the filter from now on. */
    private List<Received> subscribeA(String filter, int qos) throws MqttException {
        return subscribe(subA, inboxA, filtersA, filter, qos);
    }

    /** Subscribes client B now; returns what B receives for the filter from now on. */
    private List<Received> subscribeB(String filter, int qos) throws MqttException {
        return subscribe(subB, inboxB, filtersB, filter, qos);
    }

    private static List<Received> subscribe(MqttClient client, Recorder inbox, List<String> filters, String filter,
                                            int qos) throws MqttException {
        inbox.messages.removeIf(r -> TopicFilter.matches(filter, r.topic()));
        client.subscribe(filter, qos);
        filters.add(filter);
        return new LiveView(inbox, filter);
    }

    /** The messages of an inbox that match a filter, read afresh on every access. */
    private static final class LiveView extends java.util.AbstractList<Received> {
        private final Recorder inbox;
        private final String filter;

        LiveView(Recorder inbox, String filter) {
            this.inbox = inbox;
            this.filter = filter;
        }

        private List<Received> now() {
            return inbox.messages.stream().filter(r -> TopicFilter.matches(filter, r.topic())).toList();
        }

        @Override
        public Received get(int index) {
            return now().get(index);
        }

        @Override
        public int size() {
            return now().size();
        }
    }

    private static List<String> payloads(List<Received> received) {
        return received.stream().map(Received::payload).toList();
    }

    private static List<String> briefs(List<Received> received) {
        return received.stream().map(Received::brief).toList();
    }

    @Test
    @DisplayName("[MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8] a retained message goes to a later subscriber with RETAIN=1")
    void retainedMessageIsSentToLaterSubscriberWithRetainFlag() throws Exception {
        pub.publish("ret/store", message("kept", 1, true));

        List<Received> later = subscribeA("ret/store", 1);
        await().atMost(WAIT).until(() -> later.size() == 1);
        Received r = later.get(0);
        assertThat(r.payload()).isEqualTo("kept");
        assertThat(r.retained()).isTrue();
        assertThat(r.qos()).isEqualTo(1);
        await().during(QUIET).atMost(WAIT).until(() -> later.size() == 1);
    }

    @Test
    @DisplayName("[MQTT-3.3.1-5] a new retained message replaces the previous one of the topic")
    void newRetainedMessageReplacesThePreviousOne() throws Exception {
        pub.publish("ret/replace", message("first", 1, true));
        pub.publish("ret/replace", message("second", 1, true));

        List<Received> later = subscribeA("ret/replace", 1);
        await().atMost(WAIT).until(() -> later.size() == 1);
        await().during(QUIET).atMost(WAIT).until(() -> later.size() == 1);
        assertThat(payloads(later)).containsExactly("second");
    }

    @Test
    @DisplayName("[MQTT-3.3.1-10] [MQTT-3.3.1-11] a retained message with an empty payload removes the retained message")
    void emptyRetainedMessageDeletesTheRetainedMessage() throws Exception {
        pub.publish("ret/delete", message("doomed", 1, true));
        List<Received> before = subscribeA("ret/delete", 1);
        await().atMost(WAIT).until(() -> before.size() == 1);

        pub.publish("ret/delete", message("", 1, true));
        // the empty message itself is forwarded to the existing subscriber like any other
        await().atMost(WAIT).until(() -> before.size() == 2);
        assertThat(before.get(1).payload()).isEmpty();

        List<Received> later = subscribeB("ret/delete", 1);
        await().during(QUIET).atMost(WAIT).until(later::isEmpty);
    }

    @Test
    @DisplayName("[MQTT-3.3.1-12] a message published with RETAIN=0 does not replace the retained message")
    void nonRetainedMessageLeavesTheRetainedMessageAlone() throws Exception {
        pub.publish("ret/keep", message("retained", 1, true));
        pub.publish("ret/keep", message("transient", 1, false));

        List<Received> later = subscribeA("ret/keep", 1);
        await().atMost(WAIT).until(() -> later.size() == 1);
        await().during(QUIET).atMost(WAIT).until(() -> later.size() == 1);
        assertThat(payloads(later)).containsExactly("retained");
    }

    @Test
    @DisplayName("[MQTT-3.3.1-9] a retained message forwarded to an existing subscription has RETAIN=0")
    void retainedMessageForwardedToExistingSubscriberHasRetainCleared() throws Exception {
        List<Received> existing = subscribeA("ret/live", 1);
        pub.publish("ret/live", message("live", 1, true));
        await().atMost(WAIT).until(() -> existing.size() == 1);
        assertThat(existing.get(0).retained()).isFalse();

        // the same message reaches a later subscriber as retained
        List<Received> later = subscribeB("ret/live", 1);
        await().atMost(WAIT).until(() -> later.size() == 1);
        assertThat(later.get(0).retained()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.3.1-6] a wildcard subscription receives every matching retained message, and only those")
    void wildcardSubscriptionReceivesAllMatchingRetainedMessages() throws Exception {
        pub.publish("wild", message("parent", 1, true));
        pub.publish("wild/a", message("a", 1, true));
        pub.publish("wild/b/c", message("bc", 1, true));
        pub.publish("other/a", message("other", 1, true));

        List<Received> all = subscribeA("wild/#", 1);
        await().atMost(WAIT).until(() -> all.size() == 3);
        // "wild/#" also matches the parent level "wild" [MQTT-4.7.1-2]
        assertThat(briefs(all)).containsExactlyInAnyOrder("wild:parent:1", "wild/a:a:1", "wild/b/c:bc:1");
        assertThat(all).allSatisfy(r -> assertThat(r.retained()).isTrue());

        List<Received> oneLevel = subscribeB("wild/+", 1);
        await().atMost(WAIT).until(() -> oneLevel.size() == 1);
        await().during(QUIET).atMost(WAIT).until(() -> oneLevel.size() == 1 && all.size() == 3);
        assertThat(briefs(oneLevel)).containsExactly("wild/a:a:1");
        assertThat(inboxA.messages).noneMatch(r -> r.topic().equals("other/a"));
    }

    @Test
    @DisplayName("[MQTT-3.8.4-6] a retained message is sent at the lower of its QoS and the granted QoS")
    void retainedMessageIsDowngradedToTheGrantedQos() throws Exception {
        pub.publish("ret/qos", message("high", 2, true));

        List<Received> qos0 = subscribeA("ret/qos", 0);
        List<Received> qos2 = subscribeB("ret/qos", 2);
        await().atMost(WAIT).until(() -> qos0.size() == 1 && qos2.size() == 1);
        assertThat(qos0.get(0).qos()).isZero();
        assertThat(qos2.get(0).qos()).isEqualTo(2);
        assertThat(qos0.get(0).retained()).isTrue();
        assertThat(qos2.get(0).retained()).isTrue();
    }
}
