package dev.stratus.ingress.paho;

import dev.stratus.ingress.support.TestBroker;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** Paho v3 clients for the tests of this package: bounded waits, in-memory persistence, recorded deliveries. */
final class PahoClients {

    /** Upper bound of every synchronous Paho call, so that a broker that does not answer fails the test. */
    static final long TIME_TO_WAIT_MS = 5_000;

    private PahoClients() {
    }

    /**
     * Awaitility with a 10 ms poll interval (and delay): the default 100 ms would add a tenth of a second to
     * every wait, and these tests wait a lot.
     */
    static ConditionFactory await() {
        return Awaitility.await().pollInterval(Duration.ofMillis(10));
    }

    static MqttClient client(TestBroker broker, String clientId) throws MqttException {
        MqttClient client = new MqttClient(broker.tcpUri(), clientId, new MemoryPersistence());
        client.setTimeToWait(TIME_TO_WAIT_MS);
        return client;
    }

    static MqttConnectOptions options(boolean cleanSession) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(cleanSession);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setConnectionTimeout(5);
        options.setKeepAliveInterval(30);
        options.setAutomaticReconnect(false);
        // Paho counts a synchronous publish as in flight a moment after its acknowledgement has returned it
        options.setMaxInflight(1_000);
        return options;
    }

    /** A connected client whose deliveries (also those for subscriptions of an earlier connection) are recorded. */
    static MqttClient connect(TestBroker broker, String clientId, boolean cleanSession, Recorder recorder)
            throws MqttException {
        MqttClient client = client(broker, clientId);
        if (recorder != null) {
            client.setCallback(recorder);
        }
        client.connect(options(cleanSession));
        return client;
    }

    static MqttClient connect(TestBroker broker, String clientId) throws MqttException {
        return connect(broker, clientId, true, null);
    }

    /**
     * Connects clients concurrently with the same options. Paho spends some 300 ms starting its threads in
     * every connect; side by side the clients pay that once.
     */
    static void connectAll(MqttConnectOptions options, MqttClient... clients) throws MqttException {
        List<CompletableFuture<Void>> connects = new ArrayList<>();
        for (MqttClient c : clients) {
            connects.add(CompletableFuture.runAsync(() -> {
                try {
                    c.connect(options);
                } catch (MqttException e) {
                    throw new CompletionException(e);
                }
            }));
        }
        try {
            CompletableFuture.allOf(connects.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof MqttException m) {
                throw m;
            }
            throw e;
        }
    }

    static MqttMessage message(String payload, int qos, boolean retained) {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        m.setRetained(retained);
        return m;
    }

    /** Sends DISCONNECT (when still connected) and releases the client; never throws. */
    static void close(MqttClient... clients) {
        for (MqttClient c : clients) {
            if (c == null) {
                continue;
            }
            try {
                if (c.isConnected()) {
                    c.disconnect(1_000);
                }
            } catch (MqttException ignored) {
                // the test is over; the broker may have closed the connection already
            }
            try {
                c.close(true);
            } catch (MqttException ignored) {
                // idem
            }
        }
    }

    /** One application message as a Paho client received it. */
    record Received(String topic, String payload, int qos, boolean retained, boolean duplicate, int id) {

        /** topic:payload:qos, compact for ordered assertions. */
        String brief() {
            return topic + ":" + payload + ":" + qos;
        }
    }

    /** Records every message and whether the connection was lost. */
    static final class Recorder implements MqttCallback {

        final List<Received> messages = new CopyOnWriteArrayList<>();
        final AtomicBoolean lost = new AtomicBoolean();

        @Override
        public void connectionLost(Throwable cause) {
            lost.set(true);
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
            messages.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos(),
                    m.isRetained(), m.isDuplicate(), m.getId()));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        int count() {
            return messages.size();
        }

        List<String> payloads() {
            return messages.stream().map(Received::payload).toList();
        }

        List<Received> onTopic(String topic) {
            return messages.stream().filter(r -> r.topic().equals(topic)).toList();
        }

        List<String> briefs() {
            return messages.stream().map(Received::brief).toList();
        }
    }
}
