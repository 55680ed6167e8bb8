package dev.stratus.ingress.raw;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static dev.stratus.ingress.support.RawMqttClient.publish;
import static dev.stratus.ingress.support.RawMqttClient.sub;
import static dev.stratus.ingress.support.RawMqttClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A packet may arrive in any number of pieces (TCP segments, WebSocket frames [MQTT-6.0.0-2]); the broker must
 * wait for the rest and not answer, close, or mistake a split header for an oversized packet.
 */
class FragmentedPacketIT extends RawBrokerTestBase {

    /** A quiet read between pieces, so that the broker reads each piece on its own. */
    private static final Duration GAP = Duration.ofMillis(15);

    /** Sends the packet in pieces cut at the given offsets, asserting that nothing comes back in between. */
    private static void sendInPieces(RawMqttClient c, byte[] packet, int... cuts) {
        int from = 0;
        for (int cut : cuts) {
            c.sendRaw(Arrays.copyOfRange(packet, from, cut));
            c.assertNoPacket(GAP);
            assertThat(c.closedByBroker()).as("closed after %d of %d bytes", cut, packet.length).isFalse();
            from = cut;
        }
        c.sendRaw(Arrays.copyOfRange(packet, from, packet.length));
    }

    /** Cuts after each of the first {@code n - 1} bytes. */
    private static int[] everyByte(int n) {
        int[] cuts = new int[n - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return cuts;
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] a CONNECT whose headers arrive one byte at a time is accepted")
    void connectSentByteByByteIsAccepted() {
        RawMqttClient c = open();
        byte[] connect = connectPacket("byte-by-byte").keepAlive(30).build();
        // fixed header (2) and variable header (10) byte by byte, within the 500 ms connect timeout
        sendInPieces(c, connect, everyByte(13));
        Packet ack = c.expect(RawMqttClient.CONNACK, PROMPTLY);
        assertThat(ack.connAckReturnCode()).isZero();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] a CONNECT split inside its variable header (after 5 bytes) is accepted")
    void connectSplitInVariableHeaderIsAccepted() {
        RawMqttClient c = open();
        sendInPieces(c, connectPacket("split-connect").build(), 5);
        assertThat(c.expect(RawMqttClient.CONNACK, PROMPTLY).connAckReturnCode()).isZero();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.3.2-2] a QoS 1 PUBLISH split inside its topic and inside its packet id is acknowledged "
            + "and delivered whole")
    void publishSplitInVariableHeaderIsDelivered() {
        RawMqttClient sub = connected("split-sub");
        sub.subscribeAndAwait(1, "split/#", 1);
        RawMqttClient pub = connected("split-pub");
        byte[] payload = "split payload".getBytes(StandardCharsets.UTF_8);
        byte[] packet = publish("split/topic/name", payload, 1, false, false, 0x1234);
        // fixed header 2 bytes, topic length 2, topic 16, packet id 2, payload
        sendInPieces(pub, packet, 1, 3, 10, 21, 23);
        assertThat(pub.expect(RawMqttClient.PUBACK, PROMPTLY).packetId()).isEqualTo(0x1234);
        Packet got = sub.expect(RawMqttClient.PUBLISH, PROMPTLY);
        assertThat(got.topic()).isEqualTo("split/topic/name");
        assertThat(got.payloadText()).isEqualTo("split payload");
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.8.4-1] a SUBSCRIBE split inside its packet id and filter is answered with SUBACK")
    void subscribeSplitIsAnswered() {
        RawMqttClient c = connected("split-subscribe");
        sendInPieces(c, subscribe(0x0102, sub("split/filter/#", 2)), 3, 6);
        Packet ack = c.expect(RawMqttClient.SUBACK, PROMPTLY);
        assertThat(ack.packetId()).isEqualTo(0x0102);
        assertThat(ack.returnCodes()).containsExactly(2);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] a Remaining Length split over two reads is still checked against the maximum size")
    void oversizedLengthSplitOverReadsIsClosed() {
        RawMqttClient c = connected("split-huge");
        sendInPieces(c, new byte[] {0x30, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x05}, 2);
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        healthy.assertStillServed();
    }
}
