package dev.stratus.ingress.hivemq;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A fresh broker per test and HiveMQ MQTT 3 clients that are disconnected after it. */
abstract class HiveMqTestBase {

    protected TestBroker broker;
    private final List<Mqtt3Client> clients = new ArrayList<>();

    /** The broker configuration of every test in the class. */
    protected BrokerConfig config() {
        return BrokerConfig.forTests();
    }

    @BeforeEach
    void startBroker() {
        broker = TestBroker.start(config());
    }

    @AfterEach
    void stopBroker() {
        for (Mqtt3Client c : clients) {
            if (c.getState().isConnected()) {
                try {
                    c.toBlocking().disconnect();
                } catch (RuntimeException ignored) {
                    // already going away
                }
            }
        }
        broker.close();
    }

    /** A client builder for the TCP listener; {@code id} null leaves the client identifier empty. */
    protected Mqtt3ClientBuilder builder(String id) {
        Mqtt3ClientBuilder b = MqttClient.builder().useMqttVersion3()
                .serverHost("127.0.0.1")
                .serverPort(broker.tcpPort());
        return id == null ? b : b.identifier(id);
    }

    protected Mqtt3BlockingClient client(String id) {
        return track(builder(id).buildBlocking());
    }

    protected <C extends Mqtt3Client> C track(C client) {
        clients.add(client);
        return client;
    }

    /** A client connected with a clean session. */
    protected Mqtt3BlockingClient connected(String id) {
        Mqtt3BlockingClient c = client(id);
        c.connectWith().cleanSession(true).send();
        return c;
    }

    protected static void publish(Mqtt3BlockingClient c, String topic, String payload, int qos) {
        publish(c, topic, payload, qos, false);
    }

    protected static void publish(Mqtt3BlockingClient c, String topic, String payload, int qos, boolean retain) {
        c.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8)).qos(qos(qos)).retain(retain)
                .send();
    }

    protected static void subscribe(Mqtt3BlockingClient c, String filter, int qos) {
        c.subscribeWith().topicFilter(filter).qos(qos(qos)).send();
    }

    protected static MqttQos qos(int qos) {
        return MqttQos.fromCode(qos);
    }
}
