package dev.stratus.ingress.mqtt5.conformance;

import dev.stratus.ingress.support.RawClients;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.RawWebSocket;
import dev.stratus.ingress.support.TestBroker;
import dev.stratus.ingress.transport.Listener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.SUBACK;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * MQTT 5.0 sections 4.2 (network connections), 4.7.3 (topic length) and 6 (WebSocket) on a broker with the default
 * limits, over raw MQTT 5 packets.
 */
class Mqtt5TransportConformanceIT {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static TestBroker broker;
    private static HttpClient http;
    private final RawClients clients = new RawClients(() -> broker.tcpPort());
    private final List<RawWebSocket> sockets = new ArrayList<>();

    @BeforeAll
    static void start() {
        broker = TestBroker.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(PROMPTLY).build();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @AfterEach
    void close() {
        clients.close();
        sockets.forEach(RawWebSocket::abort);
    }

    private RawWebSocket ws(String subprotocol) throws Exception {
        RawWebSocket ws = RawWebSocket.open(http, URI.create(broker.wsUri()), subprotocol);
        sockets.add(ws);
        return ws;
    }

    @Test
    @DisplayName("[MQTT5-4.7.3-3] a topic name and filter of 65535 bytes, the most a UTF-8 string can hold, work")
    void longestTopic() {
        String topic = "long/" + "t".repeat(65535 - 5);
        RawMqttClient sub = clients.connected("long-sub");
        sub.send(RawMqttClient.subscribe5(1, props(), topic, 1));
        assertThat(sub.expect(SUBACK, PROMPTLY).reasonCodes5()).containsExactly(1);
        RawMqttClient pub = clients.connected("long-pub");
        pub.send(publish5(topic, utf8("far"), 1, false, 1, props()));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isZero();
        Packet got = sub.expect(PUBLISH, PROMPTLY);
        assertThat(got.topic()).isEqualTo(topic);
    }

    @Test
    @DisplayName("[MQTT5-4.2.0-1] TCP and WebSocket carry MQTT 5 packets as ordered, lossless byte streams: 300 QoS 1 "
            + "messages of 1 to 3000 bytes arrive whole and in order")
    void orderedLossless() throws Exception {
        RawMqttClient sub = clients.connected("stream-sub");
        sub.send(RawMqttClient.subscribe5(1, props(), "stream/t", 1));
        sub.expect(SUBACK, PROMPTLY);
        RawWebSocket pub = ws("mqtt");
        pub.sendBinary(RawMqttClient.connectPacket("stream-pub").v5().build());
        List<byte[]> sent = new ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 1; i <= 300; i++) {
            byte[] payload = new byte[1 + (i * 997) % 3000];
            Arrays.fill(payload, (byte) i);
            payload[0] = (byte) (i >> 8);
            sent.add(payload);
            all.writeBytes(publish5("stream/t", payload, 1, false, i, props()));
        }
        // in frames of 4000 bytes, cutting packets anywhere [MQTT5-6.0.0-2]
        byte[] bytes = all.toByteArray();
        for (int at = 0; at < bytes.length; at += 4000) {
            pub.sendBinary(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 4000)));
        }
        for (int i = 0; i < sent.size(); i++) {
            Packet p = sub.expect(PUBLISH, PROMPTLY);
            assertThat(p.payload5()).as("message " + (i + 1)).isEqualTo(sent.get(i));
            sub.send(RawMqttClient.puback(p.packetId()));
        }
    }

    @Test
    @DisplayName("[MQTT5-6.0.0-4] [MQTT5-6.0.0-2] the server selects the subprotocol mqtt; an MQTT 5 CONNECT sent one "
            + "byte per frame is reassembled and answered with CONNACK 0x00")
    void mqttSubprotocolAndReassembly() throws Exception {
        WebSocket legacyFirst = http.newWebSocketBuilder().subprotocols("mqttv3.1", "mqtt")
                .buildAsync(URI.create(broker.wsUri()), new WebSocket.Listener() { }).get(5, TimeUnit.SECONDS);
        try {
            assertThat(legacyFirst.getSubprotocol()).isEqualTo("mqtt");
        } finally {
            legacyFirst.abort();
        }
        RawWebSocket ws = ws("mqtt");
        assertThat(ws.socket().getSubprotocol()).isEqualTo("mqtt");
        for (byte b : RawMqttClient.connectPacket("ws-bytewise").v5().build()) {
            ws.sendBinary(new byte[] {b});
        }
        await().atMost(PROMPTLY).untilAsserted(() -> {
            byte[] got = ws.received();
            assertThat(got.length).isGreaterThanOrEqualTo(4);
            assertThat(got[0]).as("CONNACK").isEqualTo((byte) 0x20);
            assertThat(got[3]).as("reason code").isZero();
        });
    }

    @Test
    @DisplayName("[MQTT5-6.0.0-1] a text frame on an MQTT 5 connection closes it")
    void textFrameCloses() throws Exception {
        RawWebSocket ws = ws("mqtt");
        ws.sendBinary(RawMqttClient.connectPacket("ws-text").v5().build());
        await().atMost(PROMPTLY).until(() -> ws.received().length >= 4);
        ws.socket().sendText("not MQTT", true);
        await().atMost(PROMPTLY).until(ws.closed()::isDone);
    }
}
