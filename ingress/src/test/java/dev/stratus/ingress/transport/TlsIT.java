package dev.stratus.ingress.transport;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.hivemq.Inbox;
import dev.stratus.ingress.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MQTT over TLS and secure WebSocket, with a self-signed certificate made by keytool for this test: the HiveMQ
 * and Paho clients on the TLS listener, the HiveMQ client on the WSS listener, and plain TCP alongside.
 */
class TlsIT {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;
    static TestBroker broker;
    static TrustManagerFactory trust;
    static SSLContext sslContext;
    private final List<Mqtt3Client> clients = new ArrayList<>();
    private final List<org.eclipse.paho.client.mqttv3.MqttClient> pahoClients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path keyStore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "stratus", "-keyalg", "RSA", "-keysize", "2048", "-storetype", "PKCS12",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true)
                .start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(30, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(keytool.exitValue()).as("keytool: %s", output).isZero();

        // trust exactly the generated certificate
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            server.load(in, PASSWORD.toCharArray());
        }
        Certificate certificate = server.getCertificate("stratus");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("stratus", certificate);
        trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        sslContext = SSLContext.getInstance("TLS");
        sslContext.init(null, trust.getTrustManagers(), null);

        broker = TestBroker.start(BrokerConfig.forTests().withTls(BrokerConfig.TlsConfig.pkcs12(keyStore, PASSWORD), 0, 0));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void disconnectClients() throws Exception {
        for (Mqtt3Client c : clients) {
            if (c.getState().isConnected()) {
                try {
                    c.toBlocking().disconnect();
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        }
        for (org.eclipse.paho.client.mqttv3.MqttClient c : pahoClients) {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        }
    }

    private Mqtt3ClientBuilder builder(String id, Listener listener) {
        return MqttClient.builder().useMqttVersion3().identifier(id)
                .serverHost("127.0.0.1").serverPort(broker.port(listener));
    }

    private Mqtt3BlockingClient track(Mqtt3BlockingClient c) {
        clients.add(c);
        return c;
    }

    private Mqtt3BlockingClient tlsClient(String id) {
        return track(builder(id, Listener.TLS).sslConfig().trustManagerFactory(trust).applySslConfig().buildBlocking());
    }

    private Mqtt3BlockingClient wssClient(String id) {
        return track(builder(id, Listener.WSS)
                .sslConfig().trustManagerFactory(trust).applySslConfig()
                .webSocketConfig().serverPath("mqtt").subprotocol("mqtt").applyWebSocketConfig()
                .buildBlocking());
    }

    private Mqtt3BlockingClient tcpClient(String id) {
        return track(builder(id, Listener.TCP).buildBlocking());
    }

    private org.eclipse.paho.client.mqttv3.MqttClient pahoTlsClient(String id) throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                "ssl://127.0.0.1:" + broker.port(Listener.TLS), id, new MemoryPersistence());
        pahoClients.add(paho);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setSocketFactory(sslContext.getSocketFactory());
        options.setHttpsHostnameVerificationEnabled(true);
        paho.connect(options);
        return paho;
    }

    private static void publish(Mqtt3BlockingClient c, String topic, String payload, int qos) {
        c.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8)).qos(MqttQos.fromCode(qos)).send();
    }

    private static void subscribe(Mqtt3BlockingClient c, String filter, int qos) {
        c.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).send();
    }

    @Test
    @DisplayName("the TLS and WSS listeners are open next to TCP and WS")
    void allFourListenersAreOpen() {
        assertThat(broker.port(Listener.TLS)).isPositive();
        assertThat(broker.port(Listener.WSS)).isPositive();
        assertThat(broker.port(Listener.TCP)).isPositive();
        assertThat(broker.port(Listener.WS)).isPositive();
    }

    @Test
    @DisplayName("the TLS listener presents the configured certificate")
    void tlsListenerPresentsTheCertificate() throws Exception {
        try (SSLSocket socket = (SSLSocket) sslContext.getSocketFactory().createSocket("127.0.0.1",
                broker.port(Listener.TLS))) {
            socket.startHandshake();
            assertThat(socket.getSession().getPeerPrincipal().getName()).isEqualTo("CN=localhost");
        }
    }

    @Test
    @DisplayName("HiveMQ over TLS publishes and receives at every QoS")
    void hiveMqOverTlsPublishesAndReceives() throws Exception {
        Mqtt3BlockingClient c = tlsClient("tls-self");
        Inbox inbox = Inbox.of(c);
        c.connect();
        subscribe(c, "tls/self", 2);

        for (int qos = 0; qos <= 2; qos++) {
            publish(c, "tls/self", "q" + qos, qos);
        }

        assertThat(inbox.next(3)).containsExactly("tls/self|q0|q0", "tls/self|q1|q1", "tls/self|q2|q2");
    }

    @Test
    @DisplayName("MQTT 5 over TLS and over secure WebSocket: properties and reason codes travel on both")
    void mqtt5OverTlsAndWss() throws Exception {
        com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient tls = com.hivemq.client.mqtt.MqttClient.builder()
                .useMqttVersion5().identifier("v5-tls").serverHost("127.0.0.1").serverPort(broker.port(Listener.TLS))
                .sslConfig().trustManagerFactory(trust).applySslConfig().buildBlocking();
        com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient wss = com.hivemq.client.mqtt.MqttClient.builder()
                .useMqttVersion5().identifier("v5-wss").serverHost("127.0.0.1").serverPort(broker.port(Listener.WSS))
                .sslConfig().trustManagerFactory(trust).applySslConfig()
                .webSocketConfig().serverPath("mqtt").subprotocol("mqtt").applyWebSocketConfig().buildBlocking();
        try {
            tls.connect();
            wss.connect();
            java.util.concurrent.BlockingQueue<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish> got =
                    new java.util.concurrent.LinkedBlockingQueue<>();
            wss.toAsync().publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, got::add);
            wss.subscribeWith().topicFilter("v5/secure").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
                    .send();
            var ack = tls.publishWith().topic("v5/secure").payload("over tls".getBytes(StandardCharsets.UTF_8))
                    .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
                    .userProperties().add("via", "tls").applyUserProperties().send();
            assertThat(ack.getPublish().getTopic().toString()).isEqualTo("v5/secure");
            var m = got.poll(5, TimeUnit.SECONDS);
            assertThat(m).isNotNull();
            assertThat(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("over tls");
            assertThat(m.getUserProperties().asList()).extracting(p -> p.getName() + "=" + p.getValue())
                    .containsExactly("via=tls");
            var none = tls.publishWith().topic("v5/nobody").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
                    .send();
            assertThat(((com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult.Mqtt5Qos1Result) none)
                    .getPubAck().getReasonCode()).hasToString("NO_MATCHING_SUBSCRIBERS");
        } finally {
            tls.disconnect();
            wss.disconnect();
        }
    }

    @Test
    @DisplayName("messages flow between TLS (HiveMQ and Paho), WSS and TCP clients")
    void messagesFlowBetweenAllSecureAndPlainTransports() throws Exception {
        Mqtt3BlockingClient tls = tlsClient("mesh-tls");
        Inbox tlsInbox = Inbox.of(tls);
        tls.connect();
        subscribe(tls, "mesh/#", 1);
        Mqtt3BlockingClient wss = wssClient("mesh-wss");
        Inbox wssInbox = Inbox.of(wss);
        wss.connect();
        subscribe(wss, "mesh/#", 1);
        Mqtt3BlockingClient tcp = tcpClient("mesh-tcp");
        Inbox tcpInbox = Inbox.of(tcp);
        tcp.connect();
        subscribe(tcp, "mesh/#", 1);
        org.eclipse.paho.client.mqttv3.MqttClient paho = pahoTlsClient("mesh-paho");
        BlockingQueue<String> pahoInbox = new LinkedBlockingQueue<>();
        paho.subscribe("mesh/#", 1, (topic, m) -> pahoInbox.add(topic + "|" + new String(m.getPayload(),
                StandardCharsets.UTF_8)));

        publish(tls, "mesh/tls", "a", 1);
        publish(wss, "mesh/wss", "b", 1);
        publish(tcp, "mesh/tcp", "c", 1);
        MqttMessage fromPaho = new MqttMessage("d".getBytes(StandardCharsets.UTF_8));
        fromPaho.setQos(1);
        paho.publish("mesh/paho", fromPaho);

        List<String> expected = List.of("mesh/tls|a|q1", "mesh/wss|b|q1", "mesh/tcp|c|q1", "mesh/paho|d|q1");
        assertThat(tlsInbox.next(4)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(wssInbox.next(4)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(tcpInbox.next(4)).containsExactlyInAnyOrderElementsOf(expected);
        List<String> pahoGot = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pahoGot.add(pahoInbox.poll(5, TimeUnit.SECONDS));
        }
        assertThat(pahoGot).containsExactlyInAnyOrder("mesh/tls|a", "mesh/wss|b", "mesh/tcp|c", "mesh/paho|d");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] a persistent session opened over WSS is resumed over TLS with its queued messages")
    void persistentSessionMovesFromWssToTls() throws Exception {
        Mqtt3BlockingClient overWss = wssClient("secure-roamer");
        overWss.connectWith().cleanSession(false).send();
        subscribe(overWss, "secure-roam/#", 2);
        overWss.disconnect();
        Mqtt3BlockingClient pub = tcpClient("secure-roam-pub");
        pub.connect();
        publish(pub, "secure-roam/x", "queued", 2);

        Mqtt3BlockingClient overTls = tlsClient("secure-roamer");
        Inbox inbox = Inbox.of(overTls);
        assertThat(overTls.connectWith().cleanSession(false).send().isSessionPresent()).isTrue();

        assertThat(inbox.next(1)).containsExactly("secure-roam/x|queued|q2");
    }

    @Test
    @DisplayName("a plaintext MQTT client on the TLS port is rejected; TLS clients are not affected")
    void plaintextClientOnTlsPortIsRejected() throws Exception {
        Mqtt3BlockingClient tls = tlsClient("bystander");
        Inbox inbox = Inbox.of(tls);
        tls.connect();
        subscribe(tls, "bystander/#", 1);

        Mqtt3BlockingClient plain = track(builder("plain-on-tls", Listener.TLS).buildBlocking());
        assertThatThrownBy(plain::connect).as("CONNECT in plaintext to the TLS port").isInstanceOf(RuntimeException.class);
        assertThat(plain.getState().isConnected()).isFalse();

        // the broker closed the connection: a raw socket sees end of stream rather than a CONNACK
        try (Socket raw = new Socket("127.0.0.1", broker.port(Listener.TLS))) {
            raw.setSoTimeout(5000);
            raw.getOutputStream().write(new byte[] {0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C,
                    0x00, 0x00});
            byte[] answer = raw.getInputStream().readAllBytes();
            assertThat(answer.length >= 2 && answer[0] == 0x20 && answer[1] == 0x02)
                    .as("a CONNACK in plaintext (the broker may send a TLS alert, then it closes)").isFalse();
        }

        publish(tls, "bystander/ok", "unaffected", 1);
        assertThat(inbox.next(1)).containsExactly("bystander/ok|unaffected|q1");
    }

    @Test
    @DisplayName("a TLS client on the plain TCP port fails; the TCP listener keeps serving")
    void tlsClientOnTcpPortFails() throws Exception {
        Mqtt3BlockingClient wrong = track(builder("tls-on-tcp", Listener.TCP)
                .sslConfig().trustManagerFactory(trust).handshakeTimeout(5, TimeUnit.SECONDS).applySslConfig()
                .buildBlocking());

        assertThatThrownBy(wrong::connect).isInstanceOf(RuntimeException.class);

        Mqtt3BlockingClient tcp = tcpClient("tcp-after");
        Inbox inbox = Inbox.of(tcp);
        tcp.connect();
        subscribe(tcp, "after/#", 0);
        publish(tcp, "after/x", "fine", 0);
        assertThat(inbox.next(1)).containsExactly("after/x|fine|q0");
    }
}
