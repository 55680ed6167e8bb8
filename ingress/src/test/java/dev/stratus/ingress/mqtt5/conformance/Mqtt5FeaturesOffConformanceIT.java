package dev.stratus.ingress.mqtt5.conformance;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.config.Features;
import dev.stratus.ingress.support.RawMqtt5TestBase;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5.0 rules for a server with Maximum QoS 1 and no retained messages. */
class Mqtt5FeaturesOffConformanceIT extends RawMqtt5TestBase {

    private static final Duration PROMPTLY = Duration.ofSeconds(3);

    @BeforeAll
    static void start() {
        broker = TestBroker.start(BrokerConfig.forTests().withFeatures(Features.defaults().withMaximumQos(1)
                .withRetainAvailable(false)));
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-9] [MQTT5-3.2.2-10] a server without QoS 2 says Maximum QoS 1 and still accepts "
            + "SUBSCRIBE with QoS 0, 1 and 2, granting at most 1; QoS 2 messages are not accepted from clients")
    void subscribeQos2Accepted() {
        RawMqttClient c = connected("maxqos-sub");
        assertThat(c.lastConnAck().properties5().get(0x24)).containsExactly(1);
        c.send(RawMqttClient.packet(RawMqttClient.SUBSCRIBE, 0x02, RawMqttClient.concat(new byte[] {0, 1}, props(),
                RawMqttClient.string("mq/0"), new byte[] {0}, RawMqttClient.string("mq/1"), new byte[] {1},
                RawMqttClient.string("mq/2"), new byte[] {2})));
        Packet suback = c.expect(RawMqttClient.SUBACK, PROMPTLY);
        assertThat(suback.reasonCodes5()).containsExactly(0, 1, 1);
        RawMqttClient pub = connected("maxqos-pub");
        pub.send(RawMqttClient.publish5("mq/2", "x".getBytes(StandardCharsets.UTF_8), 1, false, 1, props()));
        Packet got = c.expect(PUBLISH, PROMPTLY);
        assertThat(got.qos()).isEqualTo(1);
    }
}
