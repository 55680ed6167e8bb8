package dev.stratus.ingress.paho;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.paho.PahoClients.Recorder;
import dev.stratus.ingress.support.RawMqttClient;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.stratus.ingress.paho.PahoClients.message;
import static dev.stratus.ingress.support.RawMqttClient.sub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static dev.stratus.ingress.paho.PahoClients.await;

/** SUBSCRIBE / SUBACK and UNSUBSCRIBE / UNSUBACK (MQTT 3.1.1 sections 3.8 to 3.11) with Paho v3 clients. */
class SubscribePahoIT {

    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int FAILURE = 0x80;

    private static TestBroker open;
    private static TestBroker guarded;
    private static MqttClient openPub;
    private static MqttClient guardedPub;
    private final List<MqttClient> clients = new ArrayList<>();
    private final List<RawMqttClient> raws = new ArrayList<>();

    @BeforeAll
    static void startBrokers() throws Exception {
        open = TestBroker.start();
        guarded = TestBroker.start(BrokerConfig.forTests().withAuth(new BrokerConfig.Auth(true, Map.of(), List.of(
                "deny subscribe secret/#",
                "allow subscribe %c/#",
                "allow subscribe public/#",
                "allow publish #"), false)));
        openPub = PahoClients.connect(open, "open-pub");
        guardedPub = PahoClients.connect(guarded, "guarded-pub");
    }

    @AfterAll
    static void stopBrokers() {
        PahoClients.close(openPub, guardedPub);
        open.close();
        guarded.close();
    }

    @AfterEach
    void tearDown() {
        raws.forEach(RawMqttClient::close);
        clients.forEach(PahoClients::close);
    }

    private MqttClient connect(TestBroker broker, String clientId, Recorder recorder) throws Exception {
        MqttClient c = PahoClients.connect(broker, clientId, true, recorder);
        clients.add(c);
        return c;
    }

    /** The filters and granted QoS the broker holds for a client's session. */
    private static Map<String, Integer> subscriptionsOf(TestBroker broker, String clientId) {
        Session session = broker.broker().sessions().get(new SessionKey(broker.broker().tenant(), clientId));
        assertThat(session).as("session of %s", clientId).isNotNull();
        Map<String, Integer> filters = new HashMap<>();
        session.subscriptions().forEach((filter, sub) -> filters.put(filter, sub.qos()));
        return filters;
    }

    @Test
    @DisplayName("[MQTT-3.8.4-5] [MQTT-3.9.3-1] SUBACK grants each filter its requested QoS, in the order requested")
    void subackGrantsRequestedQosPerFilterInOrder() throws Exception {
        MqttClient c = connect(open, "granted", null);
        int[] granted = c.subscribeWithResponse(new String[] {"g/two", "g/zero", "g/one", "g/+/deep/#"},
                new int[] {2, 0, 1, 1}).getGrantedQos();
        assertThat(granted).containsExactly(2, 0, 1, 1);
        assertThat(subscriptionsOf(open, "granted"))
                .containsOnly(entry("g/two", 2), entry("g/zero", 0), entry("g/one", 1), entry("g/+/deep/#", 1));
    }

    @Test
    @DisplayName("[MQTT-3.9.3-2] filters refused by ACL rules get 0x80, the others are granted")
    void filtersRefusedByAclGetFailureReturnCode() throws Exception {
        Recorder recorder = new Recorder();
        MqttClient c = connect(guarded, "alice", recorder);
        int[] granted = c.subscribeWithResponse(
                new String[] {"public/news", "secret/plans", "alice/inbox", "bob/inbox", "#"},
                new int[] {1, 1, 2, 1, 0}).getGrantedQos();
        // "#" overlaps the denied "secret/#"; "bob/inbox" is not covered by "%c/#" for alice; default deny
        assertThat(granted).containsExactly(1, FAILURE, 2, FAILURE, FAILURE);

        MqttClient pub = guardedPub;
        pub.publish("secret/plans", message("classified", 1, false));
        pub.publish("bob/inbox", message("for bob", 1, false));
        pub.publish("alice/inbox", message("for alice", 1, false));
        pub.publish("public/news", message("headline", 1, false));
        await().atMost(WAIT).until(() -> recorder.count() >= 2);
        await().during(QUIET).atMost(WAIT).until(() -> recorder.count() == 2);
        assertThat(recorder.payloads()).containsExactly("for alice", "headline");
    }

    @Test
    @DisplayName("[MQTT-3.9.3-2] a filter allowed by %c for one client is refused for another")
    void clientIdSubstitutionGrantsOnlyTheOwnBranch() throws Exception {
        MqttClient bob = connect(guarded, "bob", null);
        int[] granted = bob.subscribeWithResponse(new String[] {"bob/#", "alice/#"}, new int[] {1, 1})
                .getGrantedQos();
        assertThat(granted).containsExactly(1, FAILURE);
    }

    @Test
    @DisplayName("[MQTT-3.9.3-2] a client id with wildcards does not turn %c/# into a wildcard rule")
    void wildcardClientIdDoesNotWidenTheClientIdRule() throws Exception {
        MqttClient plus = connect(guarded, "+", null);
        MqttClient hash = connect(guarded, "#", null);
        assertThat(plus.subscribeWithResponse(new String[] {"bob/inbox", "alice/#"}, new int[] {1, 1})
                .getGrantedQos()).containsExactly(FAILURE, FAILURE);
        assertThat(hash.subscribeWithResponse(new String[] {"bob/inbox"}, new int[] {1}).getGrantedQos())
                .containsExactly(FAILURE);
    }

    @Test
    @DisplayName("[MQTT-4.7.1-2] [MQTT-3.8.4-5] an invalid filter gets 0x80 while the valid ones of the same SUBSCRIBE work")
    void invalidFilterGetsFailureReturnCode() throws Exception {
        // Paho checks filters before sending them, so the invalid ones go over a raw socket
        RawMqttClient raw = RawMqttClient.connected(open.tcpPort(), RawMqttClient.connectPacket("raw-invalid"));
        raws.add(raw);
        raw.send(RawMqttClient.subscribe(7, sub("a/#/b", 1), sub("valid/+", 1), sub("x+", 0), sub("", 0)));
        RawMqttClient.Packet suback = raw.expect(RawMqttClient.SUBACK, WAIT);
        assertThat(suback.packetId()).isEqualTo(7);
        assertThat(suback.returnCodes()).containsExactly(FAILURE, 1, FAILURE, FAILURE);

        MqttClient pub = openPub;
        pub.publish("valid/x", message("reaches raw", 1, false));
        RawMqttClient.Packet publish = raw.expect(RawMqttClient.PUBLISH, WAIT);
        assertThat(publish.topic()).isEqualTo("valid/x");
        assertThat(publish.payloadText()).isEqualTo("reaches raw");
    }

    @Test
    @DisplayName("[MQTT-3.10.4-2] [MQTT-3.10.4-4] after UNSUBACK no new messages are delivered for the filter")
    void unsubscribeStopsDelivery() throws Exception {
        Recorder recorder = new Recorder();
        MqttClient c = connect(open, "leaver", recorder);
        c.subscribe("unsub/t", 1);
        MqttClient pub = openPub;
        pub.publish("unsub/t", message("before", 1, false));
        await().atMost(WAIT).until(() -> recorder.count() == 1);

        c.unsubscribe("unsub/t"); // returns when UNSUBACK arrives
        assertThat(subscriptionsOf(open, "leaver")).isEmpty();
        pub.publish("unsub/t", message("after", 1, false));
        await().during(QUIET).atMost(WAIT).until(() -> recorder.count() == 1);
        assertThat(recorder.payloads()).containsExactly("before");
    }

    @Test
    @DisplayName("[MQTT-3.10.4-5] UNSUBACK is sent also when the filter was never subscribed")
    void unsubscribeOfUnknownFilterIsAcknowledged() throws Exception {
        MqttClient c = connect(open, "stranger", null);
        c.unsubscribe(new String[] {"never/subscribed", "nor/+/this"}); // throws on timeout without UNSUBACK
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.8.4-3] subscribing again to the same filter replaces the subscription and its QoS")
    void resubscribingReplacesTheSubscription() throws Exception {
        Recorder recorder = new Recorder();
        MqttClient c = connect(open, "resubscriber", recorder);
        c.subscribe("re/t", 2);
        c.subscribe("re/t", 0);
        assertThat(subscriptionsOf(open, "resubscriber")).containsOnly(entry("re/t", 0));

        MqttClient pub = openPub;
        pub.publish("re/t", message("once", 2, false));
        await().atMost(WAIT).until(() -> recorder.count() == 1);
        await().during(QUIET).atMost(WAIT).until(() -> recorder.count() == 1);
        assertThat(recorder.briefs()).containsExactly("re/t:once:0");
    }
}
