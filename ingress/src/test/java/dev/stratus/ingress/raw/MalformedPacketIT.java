package dev.stratus.ingress.raw;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static dev.stratus.ingress.support.RawMqttClient.PINGRESP;
import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static dev.stratus.ingress.support.RawMqttClient.packet;
import static dev.stratus.ingress.support.RawMqttClient.pingreq;
import static dev.stratus.ingress.support.RawMqttClient.publish;
import static dev.stratus.ingress.support.RawMqttClient.pubrel;
import static dev.stratus.ingress.support.RawMqttClient.sub;
import static dev.stratus.ingress.support.RawMqttClient.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.unsubscribe;
import static dev.stratus.ingress.support.RawMqttClient.withFlags;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Framing and ordering errors that client libraries never produce: reserved fixed-header flags, packets before or
 * after the one CONNECT, broken or huge Remaining Lengths, truncated packets and silence. Each closes the one
 * connection, and the broker goes on serving a healthy client.
 */
class MalformedPacketIT extends RawBrokerTestBase {

    static Stream<Arguments> reservedFlags() {
        return Stream.of(
                Arguments.of("SUBSCRIBE with flags 0000", withFlags(subscribe(1, sub("a/b", 0)), 0b0000)),
                Arguments.of("SUBSCRIBE with flags 0011", withFlags(subscribe(1, sub("a/b", 0)), 0b0011)),
                Arguments.of("UNSUBSCRIBE with flags 0000", withFlags(unsubscribe(1, "a/b"), 0b0000)),
                Arguments.of("PUBREL with flags 0000", withFlags(pubrel(1), 0b0000)),
                Arguments.of("PUBREL with flags 1010", withFlags(pubrel(1), 0b1010)),
                Arguments.of("PINGREQ with flags 0001", withFlags(pingreq(), 0b0001)),
                Arguments.of("PINGREQ with flags 1000", withFlags(pingreq(), 0b1000)),
                Arguments.of("DISCONNECT with flags 0010", withFlags(RawMqttClient.disconnectPacket(), 0b0010)),
                Arguments.of("PUBACK with flags 0010", withFlags(RawMqttClient.puback(1), 0b0010)),
                // [MQTT-3.3.1-4] a PUBLISH with both QoS bits set
                Arguments.of("PUBLISH with QoS bits 11", withFlags(publish("a/b", new byte[1], 1, false, false, 1),
                        0b0110)),
                Arguments.of("reserved packet type 0", packet(0, 0, new byte[0])),
                Arguments.of("reserved packet type 15", packet(15, 0, new byte[0])),
                // packets only a server sends
                Arguments.of("CONNACK from a client", packet(RawMqttClient.CONNACK, 0, new byte[] {0, 0})),
                Arguments.of("SUBACK from a client", packet(RawMqttClient.SUBACK, 0, new byte[] {0, 1, 0})),
                Arguments.of("PINGRESP from a client", packet(PINGRESP, 0, new byte[0])));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reservedFlags")
    @DisplayName("[MQTT-2.2.2-2] [MQTT-3.8.1-1] [MQTT-3.10.1-1] [MQTT-3.14.1-1] a packet with invalid fixed-header "
            + "flags or type closes the connection, unanswered")
    void invalidFixedHeaderClosesConnection(String what, byte[] bad) {
        RawMqttClient c = connected("bad-flags");
        c.send(bad);
        assertThat(c.awaitClosed(PROMPTLY)).as("nothing answers " + what).isEmpty();
        awaitOnlyHealthyClientConnected();
        healthy.assertStillServed();
    }

    static Stream<Arguments> packetsBeforeConnect() {
        return Stream.of(
                Arguments.of("PUBLISH", publish("a/b", "x")),
                Arguments.of("PUBLISH QoS 1", publish("a/b", new byte[] {1}, 1, false, false, 1)),
                Arguments.of("PINGREQ", pingreq()),
                Arguments.of("SUBSCRIBE", subscribe(1, sub("#", 0))),
                Arguments.of("DISCONNECT", RawMqttClient.disconnectPacket()));
    }

    @ParameterizedTest(name = "{0} first")
    @MethodSource("packetsBeforeConnect")
    @DisplayName("[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection, unanswered")
    void packetBeforeConnectClosesConnection(String what, byte[] first) {
        long before = broker.broker().stats().messagesIn();
        RawMqttClient c = open();
        c.send(first);
        // a PINGREQ gets no PINGRESP, a PUBLISH no PUBACK, and nothing is routed
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        assertThat(broker.broker().stats().messagesIn()).isEqualTo(before);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] a PINGREQ followed by a valid CONNECT in the same write still closes the connection")
    void pingBeforeConnectInSameWriteClosesConnection() {
        RawMqttClient c = open();
        byte[] ping = pingreq();
        byte[] connect = connectPacket("late-connect").build();
        byte[] both = Arrays.copyOf(ping, ping.length + connect.length);
        System.arraycopy(connect, 0, both, ping.length, connect.length);
        c.sendRaw(both);
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.0-2] a second CONNECT closes the connection and ends its clean session")
    void secondConnectClosesConnection() {
        RawMqttClient c = connected("twice");
        c.subscribeAndAwait(1, "twice/#", 1);
        c.send(connectPacket("twice").build());
        assertThat(c.awaitClosed(PROMPTLY)).as("no second CONNACK").isEmpty();
        awaitOnlyHealthyClientConnected();
        assertThat(broker.broker().subscriptionCount()).as("only the healthy client's subscription").isEqualTo(1);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.0-2] a second CONNECT pipelined right behind the first closes the connection")
    void pipelinedSecondConnectClosesConnection() {
        RawMqttClient c = open();
        byte[] connect = connectPacket("pipelined").build();
        byte[] both = Arrays.copyOf(connect, connect.length * 2);
        System.arraycopy(connect, 0, both, connect.length, connect.length);
        c.sendRaw(both);
        List<Packet> got = c.awaitClosed(PROMPTLY);
        // the first CONNECT may be accepted before the second is seen; never twice
        assertThat(got).hasSizeLessThanOrEqualTo(1);
        got.forEach(p -> assertThat(p.type()).isEqualTo(RawMqttClient.CONNACK));
        awaitOnlyHealthyClientConnected();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] a Remaining Length of five bytes (FF FF FF FF 7F, section 2.2.3) closes the "
            + "connection")
    void fiveByteRemainingLengthClosesConnection() {
        RawMqttClient c = connected("long-length");
        c.sendRaw(new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F});
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        awaitOnlyHealthyClientConnected();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] a Remaining Length with five continuation bytes (section 2.2.3) closes a connection "
            + "before CONNECT")
    void fiveContinuationBytesBeforeConnectCloseConnection() {
        RawMqttClient c = open();
        c.sendRaw(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] a truncated CONNECT (header says 20 bytes, 5 sent) then a closed socket: the broker "
            + "serves others and forgets the connection")
    void truncatedConnectThenCloseDoesNotDisturbOthers() {
        RawMqttClient c = open();
        c.sendRaw(new byte[] {0x10, 20, 0, 4, 'M'});
        healthy.assertStillServed();
        c.close();
        awaitOnlyHealthyClientConnected();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] a truncated CONNECT followed by silence is closed after the connect timeout, "
            + "others are served meanwhile")
    void truncatedConnectThenSilenceIsClosedAfterConnectTimeout() {
        RawMqttClient c = open();
        long start = System.nanoTime();
        c.sendRaw(new byte[] {0x10, 20, 0, 4, 'M'});
        healthy.assertStillServed();
        assertThat(c.awaitClosed(CONNECT_TIMEOUT.plus(PROMPTLY))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(CONNECT_TIMEOUT.minusMillis(50));
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-24] a truncated PUBLISH followed by silence blocks no one, and is closed when the keep "
            + "alive (1 s) expires after 1.5 s")
    void truncatedPublishThenSilenceIsClosedByKeepAlive() {
        RawMqttClient c = connected(connectPacket("truncated-publish").keepAlive(1));
        long start = System.nanoTime();
        // PUBLISH QoS 0 announcing 20 bytes: topic length 3, "a/b", then only one payload byte
        c.sendRaw(new byte[] {0x30, 20, 0, 3, 'a', '/', 'b', 'x'});
        healthy.assertStillServed();
        assertThat(c.awaitClosed(Duration.ofSeconds(5))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
        awaitOnlyHealthyClientConnected();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] a truncated PUBLISH then a closed socket: nothing is routed, others are served")
    void truncatedPublishThenCloseRoutesNothing() {
        RawMqttClient c = connected("truncated-then-gone");
        long before = broker.broker().stats().messagesIn();
        c.sendRaw(new byte[] {0x30, 20, 0, 3, 'a', '/', 'b', 'x'});
        c.close();
        awaitOnlyHealthyClientConnected();
        assertThat(broker.broker().stats().messagesIn()).isEqualTo(before);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] a header announcing a 10 MB PUBLISH (limit 1024 bytes) is closed before the body "
            + "is sent")
    void oversizedPacketHeaderIsClosedBeforeBody() {
        RawMqttClient c = connected("huge");
        // 0x30, Remaining Length 10 MB in four bytes; no body at all
        byte[] header = new byte[] {0x30, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x05};
        assertThat(RawMqttClient.remainingLength(10 * 1024 * 1024))
                .containsExactly(Arrays.copyOfRange(header, 1, header.length));
        c.sendRaw(header);
        c.sendRaw("a few body bytes".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        awaitOnlyHealthyClientConnected();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] a CONNECT header announcing 10 MB is closed at once, without waiting for the body "
            + "or the connect timeout")
    void oversizedConnectHeaderIsClosedAtOnce() {
        RawMqttClient c = open();
        long start = System.nanoTime();
        c.sendRaw(new byte[] {0x10, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x05});
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closed before the connect timeout")
                .isLessThan(CONNECT_TIMEOUT);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] a PUBLISH of exactly the maximum packet size is delivered, one byte more closes")
    void maximumPacketSizeIsInclusive() {
        RawMqttClient sub = connected("max-size-sub");
        sub.subscribeAndAwait(1, "max/size", 0);
        RawMqttClient pub = connected("max-size-pub");
        // fixed header 1 + 2 (Remaining Length 1021) + topic 2 + 8 = 1024 bytes in all
        byte[] fits = publish("max/size", new byte[MAX_PACKET_SIZE - 3 - 2 - 8], 0, false, false, 0);
        assertThat(fits).hasSize(MAX_PACKET_SIZE);
        pub.send(fits);
        Packet got = sub.expect(RawMqttClient.PUBLISH, PROMPTLY);
        assertThat(got.payload()).hasSize(MAX_PACKET_SIZE - 13);

        byte[] tooLarge = publish("max/size", new byte[MAX_PACKET_SIZE - 3 - 2 - 8 + 1], 0, false, false, 0);
        assertThat(tooLarge).hasSize(MAX_PACKET_SIZE + 1);
        pub.send(tooLarge);
        assertThat(pub.awaitClosed(PROMPTLY)).isEmpty();
        sub.assertNoPacket(Duration.ofMillis(200));
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] a connection that sends no CONNECT after TCP connect is closed after the connect "
            + "timeout")
    void silentConnectionIsClosedAfterConnectTimeout() {
        long start = System.nanoTime();
        RawMqttClient c = open();
        assertThat(c.awaitClosed(CONNECT_TIMEOUT.plus(PROMPTLY))).isEmpty();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(elapsed).isGreaterThanOrEqualTo(CONNECT_TIMEOUT.minusMillis(50));
        healthy.assertStillServed();
    }
}
