package dev.stratus.ingress.raw;

import dev.stratus.ingress.support.RawMqttClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;

import static dev.stratus.ingress.support.RawMqttClient.publishRawTopic;
import static dev.stratus.ingress.support.RawMqttClient.sub;
import static dev.stratus.ingress.support.RawMqttClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Topic names and filters a library would not send: wildcards in a PUBLISH topic, ill-formed UTF-8, U+0000.
 * Each closes the connection, nothing is routed, and a raw subscriber to {@code #} sees nothing.
 */
class TopicValidationIT extends RawBrokerTestBase {

    private RawMqttClient watcher;

    @BeforeEach
    void subscribeWatcher() {
        watcher = connected("watcher");
        watcher.subscribeAndAwait(1, "#", 1);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> invalidTopics() {
        return Stream.of(
                Arguments.of("[MQTT-3.3.2-2] '+' in a level", utf8("a/+/c")),
                Arguments.of("[MQTT-3.3.2-2] '#' at the end", utf8("a/#")),
                Arguments.of("[MQTT-3.3.2-2] '#' alone", utf8("#")),
                Arguments.of("[MQTT-3.3.2-2] '+' inside a level", utf8("a/b+c")),
                Arguments.of("[MQTT-1.5.3-1] ill-formed UTF-8 C3 28", bytes('a', '/', 0xC3, 0x28)),
                Arguments.of("[MQTT-1.5.3-1] encoded surrogate ED A0 80", bytes('a', '/', 0xED, 0xA0, 0x80)),
                Arguments.of("[MQTT-1.5.3-1] overlong encoding C0 AF", bytes('a', 0xC0, 0xAF)),
                Arguments.of("[MQTT-1.5.3-1] truncated sequence E2 82", bytes('a', 0xE2, 0x82)),
                Arguments.of("[MQTT-1.5.3-2] U+0000", bytes('a', '/', 0x00, 'b')),
                Arguments.of("[MQTT-4.7.3-1] empty topic", new byte[0]));
    }

    @ParameterizedTest(name = "{0}, QoS {2}")
    @MethodSource("qosVariants")
    @DisplayName("[MQTT-3.3.2-2] [MQTT-1.5.3-1] [MQTT-1.5.3-2] a PUBLISH with an invalid topic closes the connection "
            + "and is not routed")
    void invalidPublishTopicClosesConnection(String what, byte[] topic, int qos) {
        RawMqttClient bad = connected("bad-topic");
        long before = broker.broker().stats().messagesIn();
        bad.send(publishRawTopic(topic, utf8("must not arrive"), qos, false, false, qos == 0 ? 0 : 5));
        assertThat(bad.awaitClosed(PROMPTLY)).as("no acknowledgement for " + what).isEmpty();
        assertThat(broker.broker().stats().messagesIn()).isEqualTo(before);
        watcher.assertNoPacket(Duration.ofMillis(100));
        healthy.assertStillServed();
    }

    /** Each invalid topic once, at QoS 0, 1 and 2 in turn. */
    static Stream<Arguments> qosVariants() {
        int[] n = {0};
        return invalidTopics().map(a -> Arguments.of(a.get()[0], a.get()[1], n[0]++ % 3));
    }

    @Test
    @DisplayName("[MQTT-1.5.3-1] a valid multi-byte topic (U+00E9, U+1F600) is routed normally")
    void validMultiByteTopicIsRouted() {
        RawMqttClient pub = connected("good-topic");
        String topic = "caf\u00e9/\uD83D\uDE00";
        pub.send(RawMqttClient.publish(topic, utf8("ok"), 1, false, false, 3));
        assertThat(pub.expect(RawMqttClient.PUBACK, PROMPTLY).packetId()).isEqualTo(3);
        RawMqttClient.Packet got = watcher.expect(RawMqttClient.PUBLISH, PROMPTLY);
        assertThat(got.topic()).isEqualTo(topic);
        assertThat(got.payloadText()).isEqualTo("ok");
        healthy.assertStillServed();
    }

    static Stream<Arguments> illFormedFilters() {
        return Stream.of(
                Arguments.of("ill-formed UTF-8 C3 28", bytes('a', '/', 0xC3, 0x28)),
                Arguments.of("encoded surrogate ED A0 80", bytes('a', '/', 0xED, 0xA0, 0x80)),
                Arguments.of("U+0000", bytes('a', '/', 0x00)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("illFormedFilters")
    @DisplayName("[MQTT-1.5.3-1] [MQTT-1.5.3-2] [MQTT-3.8.3-1] a SUBSCRIBE whose filter is ill-formed UTF-8 or holds "
            + "U+0000 closes the connection")
    void illFormedSubscribeFilterClosesConnection(String what, byte[] filter) {
        RawMqttClient bad = connected("bad-filter");
        // packet id 9, then the filter as raw bytes and requested QoS 1
        byte[] packet = RawMqttClient.packet(RawMqttClient.SUBSCRIBE, 0x02, concat(new byte[] {0, 9},
                RawMqttClient.lengthPrefixed(filter), new byte[] {1}));
        bad.send(packet);
        assertThat(bad.awaitClosed(PROMPTLY)).as("no SUBACK for " + what).isEmpty();
        awaitSubscriptions(2);
        healthy.assertStillServed();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("illFormedFilters")
    @DisplayName("[MQTT-1.5.3-1] [MQTT-1.5.3-2] [MQTT-3.10.3-1] an UNSUBSCRIBE whose filter is ill-formed UTF-8 or "
            + "holds U+0000 closes the connection")
    void illFormedUnsubscribeFilterClosesConnection(String what, byte[] filter) {
        RawMqttClient bad = connected("bad-unsub-filter");
        byte[] packet = RawMqttClient.packet(RawMqttClient.UNSUBSCRIBE, 0x02, concat(new byte[] {0, 9},
                RawMqttClient.lengthPrefixed(filter)));
        bad.send(packet);
        assertThat(bad.awaitClosed(PROMPTLY)).as("no UNSUBACK for " + what).isEmpty();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.8.4-5] a syntactically invalid filter ('a/#/b') is refused with SUBACK 0x80, others granted")
    void invalidFilterGetsFailureReturnCode() {
        RawMqttClient c = connected("mixed-filters");
        c.send(subscribe(4, sub("a/#/b", 1), sub("ok/+", 2), sub("x+/y", 0)));
        RawMqttClient.Packet ack = c.expect(RawMqttClient.SUBACK, PROMPTLY);
        assertThat(ack.packetId()).isEqualTo(4);
        assertThat(ack.returnCodes()).containsExactly(0x80, 2, 0x80);
        healthy.assertStillServed();
    }

    private static void awaitSubscriptions(int n) {
        Waits.await().atMost(PROMPTLY)
                .until(() -> broker.broker().subscriptionCount() == n);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
