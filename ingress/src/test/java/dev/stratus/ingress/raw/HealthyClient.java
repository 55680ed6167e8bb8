package dev.stratus.ingress.raw;

import dev.stratus.ingress.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stratus.ingress.raw.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A well-behaved Paho client that stays connected while a raw client misbehaves, to prove that the broker keeps
 * serving everyone else: it publishes to its own topic at QoS 1 and must get the message back.
 */
final class HealthyClient implements AutoCloseable {

    private static final AtomicInteger IDS = new AtomicInteger();

    private final MqttClient client;
    private final String topic;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private int sent;

    private HealthyClient(MqttClient client, String topic) {
        this.client = client;
        this.topic = topic;
    }

    static HealthyClient connect(TestBroker broker) {
        String id = "healthy-" + IDS.incrementAndGet();
        try {
            MqttClient c = new MqttClient(broker.tcpUri(), id, new MemoryPersistence());
            MqttConnectOptions opts = new MqttConnectOptions();
            opts.setCleanSession(true);
            opts.setConnectionTimeout(5);
            opts.setAutomaticReconnect(false);
            c.connect(opts);
            HealthyClient h = new HealthyClient(c, "healthy/" + id);
            c.subscribe(h.topic, 1, (t, m) -> h.received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            h.assertStillServed();
            return h;
        } catch (MqttException e) {
            throw new AssertionError("healthy client could not connect", e);
        }
    }

    /** Publishes a QoS 1 message to its own topic and asserts it comes back within 5 s, on the same connection. */
    void assertStillServed() {
        assertThat(client.isConnected()).as("healthy client still connected").isTrue();
        String payload = "ping-" + (++sent);
        try {
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            client.publish(topic, m);
        } catch (MqttException e) {
            throw new AssertionError("healthy client could not publish", e);
        }
        await("healthy client receives its own message").atMost(Duration.ofSeconds(5))
                .until(() -> received.contains(payload));
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(1_000);
            }
            client.close(true);
        } catch (MqttException ignored) {
            // the test result does not depend on it
        }
    }
}
