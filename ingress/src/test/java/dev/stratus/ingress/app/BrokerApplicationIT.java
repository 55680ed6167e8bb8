package dev.stratus.ingress.app;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import dev.stratus.ingress.hivemq.Inbox;
import dev.stratus.ingress.transport.Listener;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The broker as the Quarkus application runs it: started on the Vert.x event loops from the %test profile. */
@QuarkusTest
class BrokerApplicationIT {

    @Inject
    BrokerLifecycle lifecycle;

    @Test
    @DisplayName("the application starts the broker with TCP and WebSocket on free ports, no TLS without a certificate")
    void brokerListensOnTheConfiguredListeners() {
        assertThat(lifecycle.node()).as("started at application start-up").isNotNull();
        assertThat(lifecycle.node().port(Listener.TCP)).isPositive().isNotEqualTo(1883);
        assertThat(lifecycle.node().port(Listener.WS)).isPositive().isNotEqualTo(8083);
        assertThat(lifecycle.node().port(Listener.TLS)).isEqualTo(-1);
        assertThat(lifecycle.node().port(Listener.WSS)).isEqualTo(-1);
    }

    @Test
    @DisplayName("a real client round-trips a message through the application's broker")
    void messageRoundTripsOverTcp() throws Exception {
        Mqtt3BlockingClient client = MqttClient.builder().useMqttVersion3().identifier("app-roundtrip")
                .serverHost("127.0.0.1").serverPort(lifecycle.node().port(Listener.TCP))
                .buildBlocking();
        Inbox inbox = Inbox.of(client);
        client.connect();
        try {
            client.subscribeWith().topicFilter("app/echo").qos(MqttQos.EXACTLY_ONCE).send();
            client.publishWith().topic("app/echo").payload("hello quarkus".getBytes(StandardCharsets.UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).send();

            assertThat(inbox.next(1)).containsExactly("app/echo|hello quarkus|q1");
        } finally {
            client.disconnect();
        }
    }

    @Test
    @DisplayName("TCP and WebSocket clients of the application's broker exchange messages")
    void tcpAndWebSocketClientsExchangeMessages() throws Exception {
        Mqtt3BlockingClient tcp = MqttClient.builder().useMqttVersion3().identifier("app-tcp")
                .serverHost("127.0.0.1").serverPort(lifecycle.node().port(Listener.TCP))
                .buildBlocking();
        Mqtt3BlockingClient ws = MqttClient.builder().useMqttVersion3().identifier("app-ws")
                .serverHost("127.0.0.1").serverPort(lifecycle.node().port(Listener.WS))
                .webSocketConfig().serverPath("mqtt").subprotocol("mqtt").applyWebSocketConfig()
                .buildBlocking();
        Inbox wsInbox = Inbox.of(ws);
        tcp.connect();
        ws.connect();
        try {
            ws.subscribeWith().topicFilter("app/ws").qos(MqttQos.AT_LEAST_ONCE).send();
            tcp.publishWith().topic("app/ws").payload("over ws".getBytes(StandardCharsets.UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).send();

            assertThat(wsInbox.next(1)).containsExactly("app/ws|over ws|q1");
        } finally {
            tcp.disconnect();
            ws.disconnect();
        }
    }
}
