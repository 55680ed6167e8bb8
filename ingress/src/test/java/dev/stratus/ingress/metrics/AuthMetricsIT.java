package dev.stratus.ingress.metrics;

import dev.stratus.ingress.app.BrokerLifecycle;
import dev.stratus.ingress.transport.Listener;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Authentication results in /q/metrics, with anonymous clients refused and one user. */
@QuarkusTest
@TestProfile(AuthMetricsIT.AliceOnly.class)
class AuthMetricsIT {

    public static class AliceOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("stratus.auth.allow-anonymous", "false", "stratus.auth.users.alice", "secret");
        }
    }

    @Inject
    BrokerLifecycle lifecycle;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    private MqttClient client(String id) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + lifecycle.node().port(Listener.TCP), id,
                new MemoryPersistence());
        c.setTimeToWait(5_000);
        return c;
    }

    private static MqttConnectOptions as(String user, String password) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(5);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password.toCharArray());
        }
        return o;
    }

    private double auth(Prometheus p, String result) {
        return p.value("stratus_auth_results_total", "result", result, "tenant", "default");
    }

    @Test
    @DisplayName("accepted, bad credentials (CONNACK 0x04) and not authorized (CONNACK 0x05) are counted apart; "
            + "the refused connections close as connect_refused")
    void authenticationResultsAreCounted() throws Exception {
        Prometheus before = Prometheus.scrape(metrics);

        MqttClient anonymous = client("metrics-anonymous");
        MqttSecurityException notAuthorized = catchThrowableOfType(() -> anonymous.connect(as(null, null)),
                MqttSecurityException.class);
        MqttClient guesser = client("metrics-guesser");
        MqttSecurityException badCredentials = catchThrowableOfType(() -> guesser.connect(as("alice", "guess")),
                MqttSecurityException.class);
        MqttClient alice = client("metrics-alice");
        alice.connect(as("alice", "secret"));
        alice.disconnect();
        anonymous.close();
        guesser.close();
        alice.close();

        assertThat(notAuthorized.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        assertThat(badCredentials.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        Prometheus after = Prometheus.scrape(metrics);
        assertThat(auth(after, "accepted") - auth(before, "accepted")).isEqualTo(1);
        assertThat(auth(after, "bad_credentials") - auth(before, "bad_credentials")).isEqualTo(1);
        assertThat(auth(after, "not_authorized") - auth(before, "not_authorized")).isEqualTo(1);
        assertThat(auth(after, "error") - auth(before, "error")).isZero();
        Awaitility.await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(10)).until(() ->
                Prometheus.scrape(metrics).value("stratus_connections_closed_total", "reason", "connect_refused",
                        "tenant", "default")
                        - before.value("stratus_connections_closed_total", "reason", "connect_refused",
                        "tenant", "default") == 2);
    }
}
