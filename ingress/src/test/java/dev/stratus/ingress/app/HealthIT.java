package dev.stratus.ingress.app;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** /q/health of the application, over real HTTP: the broker's liveness and readiness checks are UP. */
@QuarkusTest
class HealthIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TestHTTPResource("/q/health")
    URL health;

    @TestHTTPResource("/q/health/live")
    URL live;

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @Inject
    BrokerLifecycle lifecycle;

    private static JsonObject get(URL url, int expectedStatus) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url.toString()))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET " + url + ": " + r.body()).isEqualTo(expectedStatus);
        try (JsonReader reader = Json.createReader(new StringReader(r.body()))) {
            return reader.readObject();
        }
    }

    private static JsonObject check(JsonObject response, String name) {
        return response.getJsonArray("checks").stream().map(JsonObject.class::cast)
                .filter(c -> name.equals(c.getString("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + response));
    }

    @Test
    @DisplayName("/q/health/live is 200 UP with the broker check")
    void livenessIsUp() throws Exception {
        JsonObject r = get(live, 200);

        assertThat(r.getString("status")).isEqualTo("UP");
        assertThat(check(r, BrokerHealthChecks.LIVENESS).getString("status")).isEqualTo("UP");
    }

    @Test
    @DisplayName("/q/health/ready is 200 UP, and names the bound MQTT listeners")
    void readinessIsUpWithTheListeners() throws Exception {
        JsonObject r = get(ready, 200);

        assertThat(r.getString("status")).isEqualTo("UP");
        JsonObject listeners = check(r, BrokerHealthChecks.READINESS);
        assertThat(listeners.getString("status")).isEqualTo("UP");
        assertThat(listeners.getJsonObject("data").getString("tcp"))
                .isEqualTo(Integer.toString(lifecycle.node().port(dev.stratus.ingress.transport.Listener.TCP)));
        assertThat(listeners.getJsonObject("data").getString("ws"))
                .isEqualTo(Integer.toString(lifecycle.node().port(dev.stratus.ingress.transport.Listener.WS)));
    }

    @Test
    @DisplayName("/q/health is 200 UP with both checks")
    void overallHealthIsUp() throws Exception {
        JsonObject r = get(health, 200);

        assertThat(r.getString("status")).isEqualTo("UP");
        assertThat(check(r, BrokerHealthChecks.LIVENESS).getString("status")).isEqualTo("UP");
        assertThat(check(r, BrokerHealthChecks.READINESS).getString("status")).isEqualTo("UP");
    }
}
