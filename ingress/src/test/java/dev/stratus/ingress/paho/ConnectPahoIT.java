package dev.stratus.ingress.paho;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.TestBroker;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.stratus.ingress.paho.PahoClients.close;
import static dev.stratus.ingress.paho.PahoClients.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.stratus.ingress.paho.PahoClients.await;

/** CONNECT and CONNACK return codes as a Paho v3 client sees them (MQTT 3.1.1 sections 3.1 and 3.2). */
class ConnectPahoIT {

    private static final BrokerConfig.Auth USERS = new BrokerConfig.Auth(true,
            Map.of("alice", "wonderland"), List.of(), true);

    private final List<TestBroker> brokers = new ArrayList<>();
    private final List<MqttClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() {
        clients.forEach(PahoClients::close);
        brokers.forEach(TestBroker::close);
    }

    private TestBroker broker(BrokerConfig config) {
        TestBroker b = TestBroker.start(config);
        brokers.add(b);
        return b;
    }

    private MqttClient client(TestBroker broker, String clientId) throws MqttException {
        MqttClient c = PahoClients.client(broker, clientId);
        clients.add(c);
        return c;
    }

    private static MqttConnectOptions withCredentials(String user, String password) {
        MqttConnectOptions o = options(true);
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        return o;
    }

    private static int reasonCode(Throwable e) {
        return ((MqttException) e).getReasonCode();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-4] valid user name and password: CONNACK 0x00")
    void validCredentialsAreAccepted() throws Exception {
        TestBroker broker = broker(BrokerConfig.forTests().withAuth(USERS));
        MqttClient c = client(broker, "alice-ok");
        IMqttToken token = c.connectWithResult(withCredentials("alice", "wonderland"));
        assertThat(token.getResponse()).isNotNull();
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] wrong password: CONNACK 0x04 bad user name or password, connection closed")
    void wrongPasswordIsRefusedWithBadUserNameOrPassword() throws Exception {
        TestBroker broker = broker(BrokerConfig.forTests().withAuth(USERS));
        MqttClient c = client(broker, "alice-bad");
        assertThatThrownBy(() -> c.connect(withCredentials("alice", "guess")))
                .isInstanceOf(MqttSecurityException.class)
                .extracting(ConnectPahoIT::reasonCode)
                .isEqualTo((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION); // 4
        assertThat(c.isConnected()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().stats().connections() == 0);
        assertThat(broker.broker().sessions().size()).isZero();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] unknown user with a password: CONNACK 0x04")
    void unknownUserWithPasswordIsRefusedWithBadUserNameOrPassword() throws Exception {
        TestBroker broker = broker(BrokerConfig.forTests().withAuth(USERS));
        MqttClient c = client(broker, "mallory");
        assertThatThrownBy(() -> c.connect(withCredentials("mallory", "wonderland")))
                .isInstanceOf(MqttSecurityException.class)
                .extracting(ConnectPahoIT::reasonCode)
                .isEqualTo((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] anonymous client when anonymous access is refused: CONNACK 0x05 not authorized")
    void anonymousClientIsRefusedWithNotAuthorizedWhenAnonymousIsOff() throws Exception {
        TestBroker broker = broker(BrokerConfig.forTests().withAuth(
                new BrokerConfig.Auth(false, Map.of("alice", "wonderland"), List.of(), true)));
        MqttClient anonymous = client(broker, "anon");
        assertThatThrownBy(() -> anonymous.connect(options(true)))
                .isInstanceOf(MqttSecurityException.class)
                .extracting(ConnectPahoIT::reasonCode)
                .isEqualTo((int) MqttException.REASON_CODE_NOT_AUTHORIZED); // 5
        // the same broker still lets a known user in
        MqttClient alice = client(broker, "alice");
        alice.connect(withCredentials("alice", "wonderland"));
        assertThat(alice.isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.1.3-8] zero-length client id with CleanSession=0: CONNACK 0x02 identifier rejected")
    void emptyClientIdWithPersistentSessionIsRejected() throws Exception {
        TestBroker broker = broker(BrokerConfig.forTests());
        MqttClient c = client(broker, "");
        assertThatThrownBy(() -> c.connect(options(false)))
                .isInstanceOf(MqttException.class)
                .extracting(ConnectPahoIT::reasonCode)
                .isEqualTo((int) MqttException.REASON_CODE_INVALID_CLIENT_ID); // 2
        assertThat(c.isConnected()).isFalse();
        assertThat(broker.broker().sessions().size()).isZero();
    }

    @Test
    @DisplayName("[MQTT-3.1.3-6] zero-length client id with CleanSession=1 is accepted and given a unique id")
    void emptyClientIdWithCleanSessionIsAcceptedWithUniqueIds() throws Exception {
        TestBroker broker = broker(BrokerConfig.forTests());
        MqttClient first = client(broker, "");
        MqttClient second = client(broker, "");
        PahoClients.connectAll(options(true), first, second);
        // had both been given the same id, the second would have taken the first's session over [MQTT-3.1.4-2]
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> first.isConnected() && second.isConnected());
        assertThat(broker.broker().sessions().size()).isEqualTo(2);
        assertThat(broker.broker().sessions().all())
                .allSatisfy(s -> assertThat(s.clientId()).isNotEmpty());
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] beyond maxConnections: CONNACK 0x03 server unavailable; a freed slot admits again")
    void connectionsBeyondTheMaximumAreRefusedWithServerUnavailable() throws Exception {
        TestBroker broker = broker(BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxConnections(2)));
        MqttClient one = client(broker, "one");
        MqttClient two = client(broker, "two");
        MqttClient three = client(broker, "three");
        PahoClients.connectAll(options(true), one, two);
        assertThatThrownBy(() -> three.connect(options(true)))
                .isInstanceOf(MqttException.class)
                .extracting(ConnectPahoIT::reasonCode)
                .isEqualTo((int) MqttException.REASON_CODE_BROKER_UNAVAILABLE); // 3
        assertThat(one.isConnected()).isTrue();
        assertThat(two.isConnected()).isTrue();

        close(one);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().stats().connections() == 1);
        three.connect(options(true));
        assertThat(three.isConnected()).isTrue();
    }
}
