package dev.stratus.ingress.transport;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import dev.stratus.ingress.hivemq.Inbox;
import dev.stratus.ingress.support.RawWebSocket;
import dev.stratus.ingress.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** MQTT over WebSocket: the HiveMQ client on the WS listener, subprotocols, framing rules [MQTT-6.0.0-*]. */
class WebSocketIT {

    private static final byte[] CONNACK_ACCEPTED = {0x20, 0x02, 0x00, 0x00};

    static TestBroker broker;
    static HttpClient http;
    private final List<Mqtt3Client> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        broker = TestBroker.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @AfterEach
    void disconnectClients() {
        for (Mqtt3Client c : clients) {
            if (c.getState().isConnected()) {
                try {
                    c.toBlocking().disconnect();
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        }
    }

    private Mqtt3BlockingClient wsClient(String id) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(id)
                .serverHost("127.0.0.1").serverPort(broker.port(Listener.WS))
                .webSocketConfig().serverPath("mqtt").subprotocol("mqtt").applyWebSocketConfig()
                .buildBlocking();
        clients.add(c);
        return c;
    }

    private Mqtt3BlockingClient tcpClient(String id) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(id)
                .serverHost("127.0.0.1").serverPort(broker.tcpPort())
                .buildBlocking();
        clients.add(c);
        return c;
    }

    private static void publish(Mqtt3BlockingClient c, String topic, String payload, int qos) {
        c.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8)).qos(MqttQos.fromCode(qos)).send();
    }

    private static void subscribe(Mqtt3BlockingClient c, String filter, int qos) {
        c.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).send();
    }

    // ---- MQTT over WebSocket with the HiveMQ client ---------------------------------------------------------

    @Test
    @DisplayName("[MQTT-6.0.0-3] the HiveMQ client connects over WebSocket with subprotocol mqtt, publishes and receives")
    void hiveMqClientPublishesAndReceivesOverWebSocket() throws Exception {
        Mqtt3BlockingClient ws = wsClient("ws-self");
        Inbox inbox = Inbox.of(ws);
        ws.connect();
        subscribe(ws, "ws/self", 2);

        for (int qos = 0; qos <= 2; qos++) {
            publish(ws, "ws/self", "q" + qos, qos);
        }

        assertThat(inbox.next(3)).containsExactly("ws/self|q0|q0", "ws/self|q1|q1", "ws/self|q2|q2");
    }

    @Test
    @DisplayName("a WebSocket client and a TCP client exchange messages both ways")
    void webSocketAndTcpClientsExchangeMessages() throws Exception {
        Mqtt3BlockingClient ws = wsClient("ws-peer");
        Inbox wsInbox = Inbox.of(ws);
        ws.connect();
        subscribe(ws, "to-ws/#", 2);
        Mqtt3BlockingClient tcp = tcpClient("tcp-peer");
        Inbox tcpInbox = Inbox.of(tcp);
        tcp.connect();
        subscribe(tcp, "to-tcp/#", 2);

        for (int qos = 0; qos <= 2; qos++) {
            publish(tcp, "to-ws/" + qos, "from tcp", qos);
            publish(ws, "to-tcp/" + qos, "from ws", qos);
        }

        assertThat(wsInbox.next(3)).containsExactly("to-ws/0|from tcp|q0", "to-ws/1|from tcp|q1", "to-ws/2|from tcp|q2");
        assertThat(tcpInbox.next(3)).containsExactly("to-tcp/0|from ws|q0", "to-tcp/1|from ws|q1", "to-tcp/2|from ws|q2");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] a persistent session opened over WebSocket is resumed over TCP with its queued messages")
    void persistentSessionMovesFromWebSocketToTcp() throws Exception {
        Mqtt3BlockingClient overWs = wsClient("roamer");
        assertThat(overWs.connectWith().cleanSession(false).send().isSessionPresent()).isFalse();
        subscribe(overWs, "roam/#", 1);
        overWs.disconnect();
        Mqtt3BlockingClient pub = tcpClient("roam-pub");
        pub.connect();
        publish(pub, "roam/1", "while away", 1);

        Mqtt3BlockingClient overTcp = tcpClient("roamer");
        Inbox inbox = Inbox.of(overTcp);
        assertThat(overTcp.connectWith().cleanSession(false).send().isSessionPresent()).isTrue();

        assertThat(inbox.next(1)).containsExactly("roam/1|while away|q1");
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] a TCP connection takes over the session of a WebSocket connection with the same client id")
    void tcpConnectionTakesOverWebSocketConnection() throws Exception {
        Mqtt3BlockingClient overWs = wsClient("switcher");
        overWs.connectWith().cleanSession(false).send();
        subscribe(overWs, "switch/#", 1);

        Mqtt3BlockingClient overTcp = tcpClient("switcher");
        Inbox inbox = Inbox.of(overTcp);
        assertThat(overTcp.connectWith().cleanSession(false).send().isSessionPresent()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !overWs.getState().isConnected());
        publish(overTcp, "switch/x", "now over tcp", 1);

        assertThat(inbox.next(1)).containsExactly("switch/x|now over tcp|q1");
    }

    // ---- the WebSocket endpoint ------------------------------------------------------------------------------

    @ParameterizedTest(name = "subprotocol {0}")
    @ValueSource(strings = {"mqtt", "mqttv3.1.1", "mqttv3.1"})
    @DisplayName("[MQTT-6.0.0-3] the handshake selects the MQTT subprotocol the client offers")
    void subprotocolIsSelected(String subprotocol) throws Exception {
        RawWebSocket ws = RawWebSocket.open(http, wsUri(), subprotocol);
        try {
            assertThat(ws.socket().getSubprotocol()).isEqualTo(subprotocol);
            ws.sendBinary(connect("sub-" + subprotocol));
            ws.awaitReceived(CONNACK_ACCEPTED);
        } finally {
            ws.abort();
        }
    }

    @Test
    @DisplayName("[MQTT-6.0.0-4] offered a legacy name first and mqtt second, the server selects mqtt")
    void mqttIsSelectedWhenOfferedWithLegacyNames() throws Exception {
        WebSocket ws = http.newWebSocketBuilder().subprotocols("mqttv3.1.1", "mqtt")
                .buildAsync(wsUri(), new WebSocket.Listener() { }).get(5, TimeUnit.SECONDS);
        try {
            assertThat(ws.getSubprotocol()).isEqualTo("mqtt");
        } finally {
            ws.abort();
        }
    }

    @Test
    @DisplayName("an HTTP request for another path than the MQTT endpoint gets 404")
    void otherPathGets404() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + broker.port(Listener.WS) + "/not-mqtt"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    @DisplayName("a WebSocket upgrade on another path than the MQTT endpoint is refused")
    void upgradeOnOtherPathIsRefused() {
        CompletableFuture<WebSocket> attempt = http.newWebSocketBuilder().subprotocols("mqtt")
                .buildAsync(URI.create("ws://127.0.0.1:" + broker.port(Listener.WS) + "/other"),
                        new WebSocket.Listener() { })
                .toCompletableFuture();

        await().atMost(Duration.ofSeconds(5)).until(attempt::isDone);
        assertThat(attempt).isCompletedExceptionally();
    }

    @Test
    @DisplayName("[MQTT-6.0.0-1] a text frame closes the connection")
    void textFrameClosesTheConnection() throws Exception {
        RawWebSocket ws = RawWebSocket.open(http, wsUri(), "mqtt");
        ws.sendBinary(connect("texter"));
        ws.awaitReceived(CONNACK_ACCEPTED);

        ws.socket().sendText("not MQTT", true);

        ws.awaitClosed();
    }

    @Test
    @DisplayName("[MQTT-6.0.0-1] a text frame before CONNECT closes the connection too")
    void textFrameBeforeConnectClosesTheConnection() throws Exception {
        RawWebSocket ws = RawWebSocket.open(http, wsUri(), "mqtt");

        ws.socket().sendText("{\"hello\":1}", true);

        ws.awaitClosed();
    }

    @Test
    @DisplayName("[MQTT-6.0.0-2] an MQTT packet split across two binary frames is reassembled")
    void packetSplitAcrossFramesIsReassembled() throws Exception {
        RawWebSocket ws = RawWebSocket.open(http, wsUri(), "mqtt");
        try {
            byte[] connect = connect("split");
            int half = connect.length / 2;

            ws.sendBinary(Arrays.copyOfRange(connect, 0, half));
            ws.sendBinary(Arrays.copyOfRange(connect, half, connect.length));

            ws.awaitReceived(CONNACK_ACCEPTED);
        } finally {
            ws.abort();
        }
    }

    @Test
    @DisplayName("[MQTT-6.0.0-2] packets sent one byte per binary frame are reassembled, and a frame may join two packets")
    void packetsSentBytePerFrameAreReassembled() throws Exception {
        RawWebSocket ws = RawWebSocket.open(http, wsUri(), "mqtt");
        try {
            byte[] connect = connect("bytewise");
            for (byte b : connect) {
                ws.sendBinary(new byte[] {b});
            }
            ws.awaitReceived(CONNACK_ACCEPTED);

            // SUBSCRIBE (id 7, "t", QoS 1) whose last byte shares a frame with the start of a PUBLISH QoS 1 to "t"
            byte[] subscribe = {(byte) 0x82, 0x06, 0x00, 0x07, 0x00, 0x01, 't', 0x01};
            byte[] publish = {0x32, 0x06, 0x00, 0x01, 't', 0x00, 0x09, 'x'};
            ws.sendBinary(Arrays.copyOfRange(subscribe, 0, subscribe.length - 1));
            byte[] joined = new byte[1 + 3];
            joined[0] = subscribe[subscribe.length - 1];
            System.arraycopy(publish, 0, joined, 1, 3);
            ws.sendBinary(joined);
            ws.sendBinary(Arrays.copyOfRange(publish, 3, publish.length));

            byte[] suback = {(byte) 0x90, 0x03, 0x00, 0x07, 0x01};
            byte[] puback = {0x40, 0x02, 0x00, 0x09};
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                byte[] got = ws.received();
                assertThat(got.length).isGreaterThanOrEqualTo(4 + suback.length + puback.length);
                assertThat(Arrays.copyOfRange(got, 4, 4 + suback.length)).isEqualTo(suback);
                // then PUBACK to us as publisher and the PUBLISH to us as subscriber, in either order
                assertThat(containsSequence(got, puback)).as("PUBACK").isTrue();
            });
        } finally {
            ws.abort();
        }
    }

    private static boolean containsSequence(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    @DisplayName("[MQTT-6.0.0-2] several MQTT packets in one binary frame are all processed")
    void severalPacketsInOneFrameAreProcessed() throws Exception {
        RawWebSocket ws = RawWebSocket.open(http, wsUri(), "mqtt");
        try {
            byte[] connect = connect("batched");
            byte[] pingreq = {(byte) 0xC0, 0x00};
            byte[] both = new byte[connect.length + pingreq.length];
            System.arraycopy(connect, 0, both, 0, connect.length);
            System.arraycopy(pingreq, 0, both, connect.length, pingreq.length);

            ws.sendBinary(both);

            ws.awaitReceived(new byte[] {0x20, 0x02, 0x00, 0x00, (byte) 0xD0, 0x00}); // CONNACK, PINGRESP
        } finally {
            ws.abort();
        }
    }

    private static URI wsUri() {
        return URI.create(broker.wsUri());
    }

    /** CONNECT, MQTT 3.1.1, clean session, keep alive 60 s. */
    private static byte[] connect(String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        int remaining = 10 + 2 + id.length;
        p.write(0x10);
        p.write(remaining); // < 128 for the ids used here
        p.writeBytes(new byte[] {0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C});
        p.write(id.length >> 8);
        p.write(id.length & 0xFF);
        p.writeBytes(id);
        return p.toByteArray();
    }
}
