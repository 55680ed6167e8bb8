package dev.stratus.ingress;

import dev.stratus.ingress.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SmokeIT {

    static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void publishedMessageReachesSubscriberAtEachQos() throws Exception {
        MqttClient sub = new MqttClient(broker.tcpUri(), "sub", new MemoryPersistence());
        MqttClient pub = new MqttClient(broker.tcpUri(), "pub", new MemoryPersistence());
        MqttConnectOptions opts = new MqttConnectOptions();
        opts.setCleanSession(true);
        sub.connect(opts);
        pub.connect(opts);
        List<String> got = new CopyOnWriteArrayList<>();
        sub.subscribe("a/+", 2, (topic, m) -> got.add(topic + ":" + new String(m.getPayload()) + ":" + m.getQos()));
        for (int qos = 0; qos <= 2; qos++) {
            MqttMessage m = new MqttMessage(("q" + qos).getBytes());
            m.setQos(qos);
            pub.publish("a/b", m);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 3);
        assertThat(got).containsExactly("a/b:q0:0", "a/b:q1:1", "a/b:q2:2");
        sub.disconnect();
        pub.disconnect();
        sub.close();
        pub.close();
    }
}
