package dev.stratus.ingress.mqtt5;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.TestBroker;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;

/**
 * A fresh broker per test (on free ports of 127.0.0.1, publishing and subscribing under {@code forbidden/}
 * denied, message expiry on a clock the test can move), and real MQTT 5 client libraries talking to it over real
 * sockets: the HiveMQ client and Eclipse Paho v5. Every client is disconnected after the test.
 */
abstract class Mqtt5ClientTestBase {

    /** Upper bound of every blocking Paho call, so that a broker that does not answer fails the test. */
    static final long PAHO_WAIT_MS = 5_000;

    protected TestBroker broker;
    /** Epoch millis as the broker sees them for message expiry; a test may move it on. */
    protected final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    private boolean brokerClosed;
    private final List<Mqtt5Client> hiveClients = new ArrayList<>();
    private final List<MqttAsyncClient> pahoClients = new ArrayList<>();

    /** The broker configuration of the test; override for other limits or features. */
    protected BrokerConfig config() {
        return BrokerConfig.forTests().withAuth(new BrokerConfig.Auth(true, Map.of(),
                List.of("deny publish forbidden/#", "deny subscribe forbidden/#"), true));
    }

    @BeforeEach
    void startBroker() {
        broker = TestBroker.start(config(), clock::get);
    }

    @AfterEach
    void stopBroker() {
        for (Mqtt5Client c : hiveClients) {
            if (c.getState().isConnected()) {
                try {
                    c.toBlocking().disconnect();
                } catch (RuntimeException ignored) {
                    // already going away
                }
            }
        }
        for (MqttAsyncClient c : pahoClients) {
            try {
                if (c.isConnected()) {
                    c.disconnectForcibly(0, 100, true);
                }
                c.close(true);
            } catch (MqttException ignored) {
                // already going away
            }
        }
        closeBroker();
    }

    /** Replaces the broker of this test by one with {@code config} (before any client connects). */
    protected void restartWith(BrokerConfig config) {
        broker.close();
        broker = TestBroker.start(config, clock::get);
    }

    /** Stops the broker (once; a test may stop it itself). */
    protected void closeBroker() {
        if (!brokerClosed) {
            brokerClosed = true;
            broker.close();
        }
    }

    /** Awaitility polling every 10 ms. */
    static ConditionFactory await() {
        return Awaitility.await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(5));
    }

    // ---- HiveMQ -------------------------------------------------------------------------------------------------

    /** A HiveMQ MQTT 5 client builder for the TCP listener; {@code id} null leaves the client identifier empty. */
    protected Mqtt5ClientBuilder hive(String id) {
        Mqtt5ClientBuilder b = MqttClient.builder().useMqttVersion5()
                .serverHost("127.0.0.1")
                .serverPort(broker.tcpPort());
        return id == null ? b : b.identifier(id);
    }

    protected Mqtt5BlockingClient client(String id) {
        return track(hive(id).buildBlocking());
    }

    protected <C extends Mqtt5Client> C track(C client) {
        hiveClients.add(client);
        return client;
    }

    /** A HiveMQ client connected with Clean Start and no session expiry. */
    protected Mqtt5BlockingClient connected(String id) {
        Mqtt5BlockingClient c = client(id);
        c.connectWith().cleanStart(true).send();
        return c;
    }

    protected static void publish(Mqtt5BlockingClient c, String topic, String payload, int qos) {
        c.publishWith().topic(topic).payload(utf8(payload)).qos(qos(qos)).send();
    }

    protected static void subscribe(Mqtt5BlockingClient c, String filter, int qos) {
        c.subscribeWith().topicFilter(filter).qos(qos(qos)).send();
    }

    protected static MqttQos qos(int qos) {
        return MqttQos.fromCode(qos);
    }

    // ---- Paho v5 ------------------------------------------------------------------------------------------------

    /** A Paho v5 client for the TCP listener with in-memory persistence; not connected. */
    protected MqttAsyncClient paho(String id) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(broker.tcpUri(), id, new MemoryPersistence());
        pahoClients.add(c);
        return c;
    }

    /** Clean Start, no session expiry, no automatic reconnect. */
    static MqttConnectionOptions pahoOptions() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setConnectionTimeout(5);
        o.setKeepAliveInterval(30);
        o.setAutomaticReconnect(false);
        return o;
    }
}
