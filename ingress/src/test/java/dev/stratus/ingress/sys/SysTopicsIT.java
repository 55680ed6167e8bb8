package dev.stratus.ingress.sys;

import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.TestBroker;
import dev.stratus.state.model.StoredMessage;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.stratus.ingress.sys.SysTopicsPublisher.BYTES_RECEIVED;
import static dev.stratus.ingress.sys.SysTopicsPublisher.CLIENTS_CONNECTED;
import static dev.stratus.ingress.sys.SysTopicsPublisher.CLIENTS_TOTAL;
import static dev.stratus.ingress.sys.SysTopicsPublisher.MESSAGES_RECEIVED;
import static dev.stratus.ingress.sys.SysTopicsPublisher.MESSAGES_SENT;
import static dev.stratus.ingress.sys.SysTopicsPublisher.RETAINED_COUNT;
import static dev.stratus.ingress.sys.SysTopicsPublisher.SUBSCRIPTIONS_COUNT;
import static dev.stratus.ingress.sys.SysTopicsPublisher.UPTIME;
import static dev.stratus.ingress.sys.SysTopicsPublisher.VERSION;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code $SYS/broker/...} statistics on a real broker with real Paho clients: published every 200 ms, retained,
 * reflecting real clients and publishes (not the $SYS publishes themselves), and only for clients an ACL rule
 * allows.
 */
class SysTopicsIT {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String MONITOR = "monitor";

    private final List<MqttClient> clients = new ArrayList<>();
    private TestBroker broker;

    @AfterEach
    void tearDown() {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnect(1_000);
                }
                c.close(true);
            } catch (MqttException ignored) {
                // the test is over
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static BrokerConfig config(Duration interval) {
        return BrokerConfig.forTests().withSysInterval(interval).withAuth(new BrokerConfig.Auth(true, Map.of(),
                List.of("allow subscribe $SYS/# client=" + MONITOR), true));
    }

    private static ConditionFactory await() {
        return Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(10));
    }

    private MqttClient client(String clientId, Recorder recorder) throws MqttException {
        MqttClient c = new MqttClient(broker.tcpUri(), clientId, new MemoryPersistence());
        c.setTimeToWait(5_000);
        if (recorder != null) {
            c.setCallback(recorder);
        }
        clients.add(c);
        return c;
    }

    private static MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setConnectionTimeout(5);
        o.setKeepAliveInterval(30);
        o.setAutomaticReconnect(false);
        return o;
    }

    private MqttClient connect(String clientId, Recorder recorder) throws MqttException {
        MqttClient c = client(clientId, recorder);
        c.connect(options());
        return c;
    }

    /** Paho spends some 300 ms in every connect: side by side the clients pay that once. */
    private void connectAll(MqttClient... toConnect) {
        CompletableFuture.allOf(java.util.Arrays.stream(toConnect).map(c -> CompletableFuture.runAsync(() -> {
            try {
                c.connect(options());
            } catch (MqttException e) {
                throw new IllegalStateException(e);
            }
        })).toArray(CompletableFuture[]::new)).join();
    }

    private static int[] subscribe(MqttClient c, String... filters) throws MqttException {
        return c.subscribeWithResponse(filters, new int[filters.length]).getGrantedQos();
    }

    /** The monitor, subscribed to $SYS/broker/# at QoS 0. */
    private Recorder monitor() throws MqttException {
        Recorder sys = new Recorder();
        MqttClient monitor = connect(MONITOR, sys);
        assertThat(subscribe(monitor, "$SYS/broker/#")).containsExactly(0);
        return sys;
    }

    @Test
    @DisplayName("a subscriber gets version and uptime, and clients/connected follows real clients")
    void versionUptimeAndConnectedClients() throws Exception {
        broker = TestBroker.start(config(INTERVAL));
        Recorder sys = monitor();

        await().until(() -> sys.latest(VERSION) != null && sys.latest(UPTIME) != null
                && "1".equals(sys.latest(CLIENTS_CONNECTED)));
        assertThat(sys.latest(VERSION)).startsWith("stratus ");
        assertThat(sys.latest(UPTIME)).matches("\\d+ seconds");
        // the values already published came at once as retained messages, at QoS 0
        assertThat(sys.messages).allSatisfy(m -> assertThat(m.qos()).isZero());
        assertThat(sys.messages).anySatisfy(m -> assertThat(m.retained()).isTrue());

        MqttClient a = client("extra-a", null);
        MqttClient b = client("extra-b", null);
        MqttClient c = client("extra-c", null);
        connectAll(a, b, c);
        await().until(() -> "4".equals(sys.latest(CLIENTS_CONNECTED)) && "4".equals(sys.latest(CLIENTS_TOTAL)));

        a.disconnect(1_000);
        b.disconnect(1_000);
        await().until(() -> "2".equals(sys.latest(CLIENTS_CONNECTED)) && "2".equals(sys.latest(CLIENTS_TOTAL)));
        assertThat(sys.latest(SUBSCRIPTIONS_COUNT)).isEqualTo("1");
    }

    @Test
    @DisplayName("messages/received counts client publishes, never the $SYS publishes; retained count leaves them out")
    void receivedCountsOnlyClientPublishes() throws Exception {
        broker = TestBroker.start(config(INTERVAL));
        Recorder sys = monitor();
        // more than a second of ticks (uptime "1 seconds"): each published $SYS values, none counted as received
        await().until(() -> "1 seconds".equals(sys.latest(UPTIME)));
        assertThat(sys.latest(MESSAGES_RECEIVED)).isEqualTo("0");
        assertThat(sys.latest(RETAINED_COUNT)).isEqualTo("0");
        assertThat(broker.broker().stats().messagesIn()).isZero();
        assertThat(broker.broker().stats().dropped(DropReason.NO_SUBSCRIBERS)).isZero();
        // what was delivered to the monitor is real traffic: counted as sent
        assertThat(Long.parseLong(sys.latest(MESSAGES_SENT))).isPositive();

        MqttClient publisher = connect("publisher", null);
        for (int i = 0; i < 5; i++) {
            publisher.publish("data/" + i, message("v" + i, 1, i < 2));
        }
        await().until(() -> "5".equals(sys.latest(MESSAGES_RECEIVED)) && "2".equals(sys.latest(RETAINED_COUNT))
                && "10".equals(sys.latest(BYTES_RECEIVED)));
        assertThat(broker.broker().stats().messagesIn()).isEqualTo(5);
    }

    @Test
    @DisplayName("without an allow rule: SUBACK 0x80 for $SYS/#, and nothing of $SYS through # or +/broker/#")
    void sysTopicsNeedAnExplicitAllowRule() throws Exception {
        broker = TestBroker.start(config(INTERVAL));
        Recorder sys = monitor();
        await().until(() -> "1".equals(sys.latest(CLIENTS_CONNECTED)));

        Recorder seen = new Recorder();
        MqttClient intruder = connect("intruder", seen);
        // the default policy allows everything else; $SYS needs a rule
        assertThat(subscribe(intruder, "$SYS/#", "$SYS/broker/uptime", "#", "+/broker/#", "other/x"))
                .containsExactly(0x80, 0x80, 0, 0, 0);
        // a tick after the subscriptions (a third client changes clients/connected) reaches the monitor only
        connect("trigger", null);
        await().until(() -> "3".equals(sys.latest(CLIENTS_CONNECTED)));
        assertThat(seen.messages).isEmpty();
        assertThat(intruder.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a will cannot publish to $SYS either")
    void willToSysTopicIsNotPublished() throws Exception {
        broker = TestBroker.start(config(INTERVAL));
        Recorder sys = monitor();
        MqttClient forger = client("forger", null);
        MqttConnectOptions o = options();
        o.setWill("$SYS/broker/forged", "999".getBytes(StandardCharsets.UTF_8), 0, true);
        forger.connect(o);
        await().until(() -> broker.broker().sessions().size() == 2);
        forger.disconnectForcibly(0, 1_000, false); // no DISCONNECT: the will is due
        await().until(() -> broker.broker().sessions().size() == 1);

        assertThat(broker.broker().stores().retained().get(broker.broker().tenant(), "$SYS/broker/forged")
                .toCompletableFuture().join()).isEmpty();
        assertThat(sys.onTopic("$SYS/broker/forged")).isEmpty();
    }

    @Test
    @DisplayName("interval 0: no $SYS topic is published at all")
    void intervalZeroPublishesNothing() throws Exception {
        broker = TestBroker.start(config(Duration.ZERO));
        Recorder sys = new Recorder();
        MqttClient monitor = connect(MONITOR, sys);
        assertThat(subscribe(monitor, "$SYS/#", "data/#")).containsExactly(0, 0);
        MqttClient publisher = connect("publisher", null);
        publisher.publish("data/marker", message("marker", 1, false));
        await().until(() -> sys.messages.size() == 1);

        assertThat(sys.messages).extracting(Received::topic).containsExactly("data/marker");
        List<StoredMessage> retained = broker.broker().stores().retained()
                .match(broker.broker().tenant(), "$SYS/#").toCompletableFuture().join();
        assertThat(retained).isEmpty();
        assertThat(broker.broker().stats().messagesOut()).isEqualTo(1);
    }

    private static MqttMessage message(String payload, int qos, boolean retained) {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        m.setRetained(retained);
        return m;
    }

    record Received(String topic, String payload, int qos, boolean retained) {
    }

    /** Records every message a client receives. */
    static final class Recorder implements MqttCallback {

        final List<Received> messages = new CopyOnWriteArrayList<>();

        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
            messages.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos(),
                    m.isRetained()));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        List<Received> onTopic(String topic) {
            return messages.stream().filter(r -> r.topic().equals(topic)).toList();
        }

        /** The last payload received on the topic, or null. */
        String latest(String topic) {
            List<Received> on = onTopic(topic);
            return on.isEmpty() ? null : on.get(on.size() - 1).payload();
        }
    }
}
