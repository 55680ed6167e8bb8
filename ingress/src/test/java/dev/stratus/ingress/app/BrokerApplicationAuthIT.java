package dev.stratus.ingress.app;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import dev.stratus.ingress.transport.Listener;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** stratus.auth.* config properties reach the broker the application starts. */
@QuarkusTest
@TestProfile(BrokerApplicationAuthIT.AliceOnly.class)
class BrokerApplicationAuthIT {

    /** No anonymous clients; one user; subscriptions below secret/ refused. */
    public static class AliceOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "stratus.auth.allow-anonymous", "false",
                    "stratus.auth.users.alice", "secret",
                    "stratus.auth.acl", "deny subscribe secret/#");
        }
    }

    @Inject
    BrokerLifecycle lifecycle;

    private Mqtt3BlockingClient client(String id) {
        return MqttClient.builder().useMqttVersion3().identifier(id)
                .serverHost("127.0.0.1").serverPort(lifecycle.node().port(Listener.TCP))
                .buildBlocking();
    }

    private static void connectAs(Mqtt3BlockingClient c, String user, String password) {
        c.connectWith().simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] stratus.auth.allow-anonymous=false: a client without user name gets CONNACK 0x05")
    void anonymousClientIsRefused() {
        Mqtt3BlockingClient c = client("app-anonymous");

        Mqtt3ConnAckException e = catchThrowableOfType(c::connect, Mqtt3ConnAckException.class);

        assertThat(e).as("CONNECT refused").isNotNull();
        assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
    }

    @Test
    @DisplayName("stratus.auth.users.alice=secret: alice connects and exchanges messages")
    void configuredUserIsAccepted() {
        Mqtt3BlockingClient c = client("app-alice");

        connectAs(c, "alice", "secret");
        try {
            assertThat(c.getState().isConnected()).isTrue();
            assertThat(c.subscribeWith().topicFilter("open/#").qos(MqttQos.AT_LEAST_ONCE).send().getReturnCodes())
                    .containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
        } finally {
            c.disconnect();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] a wrong password for the configured user gets CONNACK 0x04")
    void wrongPasswordIsRefused() {
        Mqtt3BlockingClient c = client("app-wrong");

        Mqtt3ConnAckException e = catchThrowableOfType(() -> connectAs(c, "alice", "guess"),
                Mqtt3ConnAckException.class);

        assertThat(e).as("CONNECT refused").isNotNull();
        assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    @DisplayName("[MQTT-3.9.3-2] stratus.auth.acl: a subscription the rule denies gets SUBACK 0x80")
    void configuredAclRuleIsApplied() {
        Mqtt3BlockingClient c = client("app-acl");
        connectAs(c, "alice", "secret");
        try {
            Mqtt3SubAckException e = catchThrowableOfType(
                    () -> c.subscribeWith().topicFilter("secret/plans").qos(MqttQos.AT_LEAST_ONCE).send(),
                    Mqtt3SubAckException.class);

            assertThat(e).as("SUBACK with a failure").isNotNull();
            assertThat(e.getMqttMessage().getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.FAILURE);
        } finally {
            c.disconnect();
        }
    }
}
