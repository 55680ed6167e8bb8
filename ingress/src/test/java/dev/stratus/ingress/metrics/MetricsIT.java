package dev.stratus.ingress.metrics;

import dev.stratus.ingress.app.BrokerLifecycle;
import dev.stratus.ingress.transport.Listener;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** /q/metrics of the application: the broker's meters in the Prometheus format, as real clients drive them. */
@QuarkusTest
class MetricsIT {

    private static final String[] TENANT = {"tenant", "default"};

    @Inject
    BrokerLifecycle lifecycle;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    private final List<MqttClient> clients = new ArrayList<>();

    private static ConditionFactory await() {
        return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .atMost(Duration.ofSeconds(10));
    }

    @AfterEach
    void closeClients() throws MqttException {
        for (MqttClient c : clients) {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        }
    }

    private MqttClient connect(String clientId) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + lifecycle.node().port(Listener.TCP), clientId,
                new MemoryPersistence());
        c.setTimeToWait(5_000);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(5);
        c.connect(o);
        clients.add(c);
        return c;
    }

    private Prometheus scrape() {
        return Prometheus.scrape(metrics);
    }

    /** A scrape once no client of an earlier test is connected (their clean sessions are gone by then). */
    private Prometheus quietScrape() {
        await().until(() -> scrape().value("stratus_connections", TENANT) == 0);
        return scrape();
    }

    private static double delta(Prometheus before, Prometheus after, String name, String... labels) {
        return after.value(name, withTenant(labels)) - before.value(name, withTenant(labels));
    }

    private static String[] withTenant(String... labels) {
        String[] all = new String[labels.length + 2];
        System.arraycopy(labels, 0, all, 0, labels.length);
        all[labels.length] = TENANT[0];
        all[labels.length + 1] = TENANT[1];
        return all;
    }

    @Test
    @DisplayName("a subscriber receiving 3 QoS 1 messages shows in connections, messages, bytes, subscriptions, "
            + "sessions and inflight; a message without subscribers shows as dropped; DISCONNECT as a close reason")
    void clientActivityShowsInTheMetrics() throws Exception {
        Prometheus before = quietScrape();
        List<String> received = new CopyOnWriteArrayList<>();
        MqttClient sub = connect("metrics-sub");
        sub.subscribe("metrics/it", 1, (IMqttMessageListener) (topic, m) ->
                received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
        MqttClient pub = connect("metrics-pub");
        for (int i = 1; i <= 3; i++) {
            pub.publish("metrics/it", ("hello-" + i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
        await().until(() -> received.size() == 3);

        Prometheus during = scrape();
        assertThat(during.value("stratus_connections", TENANT)).isGreaterThanOrEqualTo(2);
        assertThat(delta(before, during, "stratus_connections_opened_total")).isEqualTo(2);
        assertThat(delta(before, during, "stratus_messages_received_total", "qos", "1")).isEqualTo(3);
        assertThat(delta(before, during, "stratus_messages_received_total", "qos", "0")).isZero();
        assertThat(delta(before, during, "stratus_messages_sent_total", "qos", "1")).isEqualTo(3);
        assertThat(delta(before, during, "stratus_payload_received_bytes_total")).isEqualTo(3 * 7);
        assertThat(delta(before, during, "stratus_payload_sent_bytes_total")).isEqualTo(3 * 7);
        assertThat(delta(before, during, "stratus_subscriptions")).isEqualTo(1);
        assertThat(delta(before, during, "stratus_sessions")).isEqualTo(2);
        assertThat(delta(before, during, "stratus_auth_results_total", "result", "accepted")).isEqualTo(2);
        // Paho acknowledges each message once its listener has returned
        await().until(() -> scrape().value("stratus_messages_inflight", TENANT) == 0);
        assertThat(scrape().value("stratus_messages_queued", TENANT)).isZero();

        pub.publish("metrics/nobody", "lost".getBytes(StandardCharsets.UTF_8), 0, false);
        await().until(() -> delta(before, scrape(), "stratus_messages_dropped_total", "reason", "no_subscribers") == 1);

        sub.disconnect();
        pub.disconnect();
        await().untilAsserted(() -> {
            Prometheus after = scrape();
            assertThat(delta(before, after, "stratus_connections_closed_total", "reason", "client_disconnect"))
                    .isEqualTo(2);
            assertThat(delta(before, after, "stratus_connections")).isZero();
            assertThat(delta(before, after, "stratus_subscriptions")).isZero();
            assertThat(delta(before, after, "stratus_sessions")).isZero();
        });
    }

    @Test
    @DisplayName("a retained message shows in stratus_retained_messages, and leaves it when cleared")
    void retainedMessagesAreCounted() throws Exception {
        MqttClient pub = connect("metrics-retainer");
        String retained = "stratus_retained_messages";
        // each attempt starts from the cleared topic: the broker's own $SYS topics may appear meanwhile
        await().untilAsserted(() -> {
            pub.publish("metrics/retained", new byte[0], 1, true); // [MQTT-3.3.1-10] clears it
            double without = scrape().value(retained, TENANT);
            pub.publish("metrics/retained", "kept".getBytes(StandardCharsets.UTF_8), 1, true);
            double with = scrape().value(retained, TENANT);
            pub.publish("metrics/retained", new byte[0], 1, true);
            double cleared = scrape().value(retained, TENANT);

            assertThat(with - without).isEqualTo(1);
            assertThat(cleared).isEqualTo(without);
        });
    }

    @Test
    @DisplayName("every broker meter is served, each tagged with the tenant, and nothing else distinguishes them")
    void everyMeterIsServedWithTheTenantTag() {
        Prometheus p = scrape();

        List<String> names = List.of("stratus_connections", "stratus_connections_opened_total",
                "stratus_connections_closed_total", "stratus_messages_received_total", "stratus_messages_sent_total",
                "stratus_payload_received_bytes_total", "stratus_payload_sent_bytes_total",
                "stratus_messages_dropped_total", "stratus_messages_inflight", "stratus_messages_queued",
                "stratus_retained_messages", "stratus_subscriptions", "stratus_sessions", "stratus_auth_results_total");
        for (String name : names) {
            assertThat(p.find(name)).as(name).isNotEmpty()
                    .allSatisfy(s -> assertThat(s.labels()).containsEntry("tenant", "default"));
        }
        assertThat(p.find("stratus_connections_closed_total")).extracting(s -> s.labels().get("reason"))
                .containsExactlyInAnyOrder("client_disconnect", "keep_alive_timeout", "protocol_error",
                        "socket_error", "taken_over", "connect_refused", "connect_timeout", "server_shutdown",
                        "server_error");
        assertThat(p.find("stratus_messages_received_total")).extracting(s -> s.labels().get("qos"))
                .containsExactlyInAnyOrder("0", "1", "2");
        assertThat(p.find("stratus_auth_results_total")).extracting(s -> s.labels().get("result"))
                .containsExactlyInAnyOrder("accepted", "bad_credentials", "not_authorized", "error");
        assertThat(p.find("stratus_messages_dropped_total")).extracting(s -> s.labels().get("reason"))
                .contains("queue_full", "no_subscribers", "not_authorized", "offline_qos0");
    }
}
