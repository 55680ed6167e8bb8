package dev.stratus.ingress.hivemq;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import dev.stratus.ingress.config.BrokerConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** CONNECT and its return codes, seen by the HiveMQ client; anonymous clients are refused, alice may connect. */
class HiveMqConnectIT extends HiveMqTestBase {

    @Override
    protected BrokerConfig config() {
        return BrokerConfig.forTests().withAuth(new BrokerConfig.Auth(false, Map.of("alice", "secret"), List.of(), true));
    }

    private Mqtt3ConnAck connectAs(Mqtt3BlockingClient c, String user, String password) {
        return c.connectWith()
                .simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-3] valid credentials: CONNACK 0x00 without a session present for a clean session")
    void validCredentialsAreAccepted() {
        Mqtt3BlockingClient c = client("alice-1");

        Mqtt3ConnAck ack = connectAs(c, "alice", "secret");

        assertThat(ack.getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        assertThat(ack.isSessionPresent()).isFalse();
        assertThat(c.getState().isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] wrong password: CONNACK 0x04 (bad user name or password) and the connection closes")
    void wrongPasswordIsRefusedWithBadCredentials() {
        Mqtt3BlockingClient c = client("alice-2");

        Mqtt3ConnAckException e = catchThrowableOfType(() -> connectAs(c, "alice", "wrong"), Mqtt3ConnAckException.class);

        assertThat(e).as("CONNECT refused").isNotNull();
        assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(e.getMqttMessage().getReturnCode().getCode()).isEqualTo(0x04);
        assertThat(c.getState().isConnected()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] unknown user: CONNACK 0x04")
    void unknownUserIsRefusedWithBadCredentials() {
        Mqtt3BlockingClient c = client("mallory");

        Mqtt3ConnAckException e = catchThrowableOfType(() -> connectAs(c, "mallory", "secret"),
                Mqtt3ConnAckException.class);

        assertThat(e).as("CONNECT refused").isNotNull();
        assertThat(e.getMqttMessage().getReturnCode().getCode()).isEqualTo(0x04);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] no user name while anonymous access is off: CONNACK 0x05 (not authorized)")
    void anonymousClientIsNotAuthorized() {
        Mqtt3BlockingClient c = client("anonymous");

        Mqtt3ConnAckException e = catchThrowableOfType(() -> c.connect(), Mqtt3ConnAckException.class);

        assertThat(e).as("CONNECT refused").isNotNull();
        assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        assertThat(e.getMqttMessage().getReturnCode().getCode()).isEqualTo(0x05);
        assertThat(c.getState().isConnected()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.1.3-8] empty client identifier with CleanSession=0: CONNACK 0x02 (identifier rejected)")
    void emptyClientIdWithPersistentSessionIsRejected() {
        Mqtt3BlockingClient c = client(null);

        Mqtt3ConnAckException e = catchThrowableOfType(() -> c.connectWith().cleanSession(false)
                .simpleAuth().username("alice").password("secret".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send(), Mqtt3ConnAckException.class);

        assertThat(e).as("CONNECT refused").isNotNull();
        assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.IDENTIFIER_REJECTED);
        assertThat(e.getMqttMessage().getReturnCode().getCode()).isEqualTo(0x02);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-6] empty client identifier with CleanSession=1: accepted, and the client can exchange messages")
    void emptyClientIdWithCleanSessionIsAccepted() throws Exception {
        Mqtt3BlockingClient c = client(null);
        Inbox inbox = Inbox.of(c);

        Mqtt3ConnAck ack = connectAs(c, "alice", "secret");
        subscribe(c, "anon/echo", 1);
        publish(c, "anon/echo", "hi", 1);

        assertThat(ack.getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        assertThat(Inbox.describe(inbox.next())).isEqualTo("anon/echo|hi|q1");
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] a refused CONNECT with the same client id does not take over the connected client")
    void refusedConnectDoesNotTakeOverTheSession() throws Exception {
        Mqtt3BlockingClient good = client("alice-3");
        Inbox inbox = Inbox.of(good);
        connectAs(good, "alice", "secret");
        subscribe(good, "still/here", 0);

        Mqtt3BlockingClient bad = client("alice-3");
        catchThrowableOfType(() -> connectAs(bad, "alice", "nope"), Mqtt3ConnAckException.class);
        publish(good, "still/here", "yes", 0);

        assertThat(Inbox.describe(inbox.next())).isEqualTo("still/here|yes|q0");
    }
}
