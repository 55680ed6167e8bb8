package dev.stratus.ingress.conformance;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Section 7.1.1 and 6: the transports the broker offers carry MQTT as an ordered, lossless stream of bytes. QoS 1,
 * because the broker may drop QoS 0 messages for a subscriber that does not keep up (at most once).
 */
class TransportConformanceIT extends ConformanceTestBase {

    private static final int MESSAGES = 500;

    private final List<MqttClient> pahos = new ArrayList<>();

    @AfterEach
    void closePahos() throws MqttException {
        for (MqttClient c : pahos) {
            if (c.isConnected()) {
                c.disconnect(1_000);
            }
            c.close(true);
        }
        pahos.clear();
    }

    private MqttClient paho(String uri) throws MqttException {
        MqttClient c = new MqttClient(uri, unique("transport"), new MemoryPersistence());
        pahos.add(c);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setMaxInflight(MESSAGES);
        c.connect(options);
        return c;
    }

    private String uri(String transport) {
        return transport.equals("tcp") ? broker.tcpUri() : broker.wsUri();
    }

    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({"tcp, ws", "ws, tcp", "ws, ws"})
    @DisplayName("[MQTT-7.1.1-1] TCP and WebSocket carry 500 QoS 1 messages (1 to 4000 bytes) whole, in order, none "
            + "lost")
    void transportsAreOrderedAndLossless(String from, String to) throws Exception {
        String topic = unique("stream/t");
        MqttClient subscriber = paho(uri(to));
        List<String> received = new CopyOnWriteArrayList<>();
        subscriber.subscribe(topic, 1, (t, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
        MqttClient publisher = paho(uri(from));
        List<String> sent = IntStream.range(0, MESSAGES)
                .mapToObj(i -> i + ":" + "x".repeat((i * 37) % 4000)).toList();
        for (String payload : sent) {
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            publisher.publish(topic, m);
        }
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> received.size() >= MESSAGES);
        assertThat(received).containsExactlyElementsOf(sent);
    }
}
