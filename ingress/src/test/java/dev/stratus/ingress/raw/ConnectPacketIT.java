package dev.stratus.ingress.raw;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.stratus.ingress.support.RawMqttClient.CONNACK;
import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONNECT packets that the specification forbids: each is refused (CONNACK with an error code, then close) or
 * closed without CONNACK, never accepted, and never counted as a connection.
 */
class ConnectPacketIT extends RawBrokerTestBase {

    private List<Packet> sendAndAwaitClose(RawMqttClient.Connect connect) {
        RawMqttClient c = open();
        c.send(connect.build());
        List<Packet> got = c.awaitClosed(PROMPTLY);
        awaitOnlyHealthyClientConnected();
        assertThat(broker.broker().sessions().get(new dev.stratus.state.model.SessionKey(
                broker.broker().tenant(), "bad-connect"))).as("no session for a refused CONNECT").isNull();
        return got;
    }

    @Test
    @DisplayName("[MQTT-3.1.2-3] the reserved CONNECT flag bit 0 set closes the connection without CONNACK")
    void reservedConnectFlagClosesConnection() {
        assertThat(sendAndAwaitClose(connectPacket("bad-connect").setFlags(0x01))).isEmpty();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-2] protocol level 6 gets CONNACK 0x01 (unacceptable protocol version), then close")
    void unsupportedProtocolLevelIsRefused() {
        List<Packet> got = sendAndAwaitClose(connectPacket("bad-connect").protocolLevel(6));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).type()).isEqualTo(CONNACK);
        assertThat(got.get(0).connAckReturnCode()).isEqualTo(0x01);
        assertThat(got.get(0).sessionPresent()).isFalse();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-2] protocol level 0 gets CONNACK 0x01, then close")
    void protocolLevelZeroIsRefused() {
        List<Packet> got = sendAndAwaitClose(connectPacket("bad-connect").protocolLevel(0));
        assertThat(got).extracting(Packet::connAckReturnCode).containsExactly(0x01);
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-1] a wrong protocol name closes the connection, at most after CONNACK 0x01")
    void wrongProtocolNameIsNotAccepted() {
        List<Packet> got = sendAndAwaitClose(connectPacket("bad-connect").protocolName("MQTX"));
        // the broker may close at once or answer CONNACK 0x01 first; it must not accept
        assertThat(got).hasSizeLessThanOrEqualTo(1);
        got.forEach(p -> assertThat(p.connAckReturnCode()).isEqualTo(0x01));
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-14] will QoS 3 closes the connection without CONNACK")
    void willQos3ClosesConnection() {
        List<Packet> got = sendAndAwaitClose(connectPacket("bad-connect")
                .will("will/topic", "gone".getBytes(StandardCharsets.UTF_8), 3, false));
        assertThat(got).isEmpty();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-15] will retain without the will flag closes the connection without CONNACK")
    void willRetainWithoutWillFlagClosesConnection() {
        assertThat(sendAndAwaitClose(connectPacket("bad-connect").setFlags(0x20))).isEmpty();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-13] will QoS 1 without the will flag closes the connection without CONNACK")
    void willQosWithoutWillFlagClosesConnection() {
        assertThat(sendAndAwaitClose(connectPacket("bad-connect").setFlags(0x08))).isEmpty();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-22] the password flag without the user name flag closes the connection without CONNACK")
    void passwordWithoutUserNameClosesConnection() {
        assertThat(sendAndAwaitClose(connectPacket("bad-connect").password("secret"))).isEmpty();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.3-8] [MQTT-3.1.3-9] an empty client id with CleanSession=0 gets CONNACK 0x02, then close")
    void emptyClientIdWithPersistentSessionIsRefused() {
        RawMqttClient c = open();
        c.send(connectPacket("").cleanSession(false).build());
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got).extracting(Packet::connAckReturnCode).containsExactly(0x02);
        awaitOnlyHealthyClientConnected();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-1.5.3-1] [MQTT-3.1.3-4] a client id of ill-formed UTF-8 (C3 28) closes the connection without "
            + "CONNACK")
    void illFormedClientIdClosesConnection() {
        byte[] good = connectPacket("AB").build();
        // the client id is the last field: its two bytes are the last two of the packet
        good[good.length - 2] = (byte) 0xC3;
        good[good.length - 1] = 0x28;
        RawMqttClient c = open();
        c.send(good);
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
        awaitOnlyHealthyClientConnected();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.1.3-10] a will topic with a wildcard closes the connection without CONNACK")
    void willTopicWithWildcardClosesConnection() {
        assertThat(sendAndAwaitClose(connectPacket("bad-connect")
                .will("will/#", new byte[] {1}, 1, false))).isEmpty();
        healthy.assertStillServed();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-1] [MQTT-3.1.4-4] a valid raw CONNECT is accepted with CONNACK 0x00 and session present "
            + "0")
    void validConnectIsAccepted() {
        RawMqttClient c = connected(connectPacket("good-connect").keepAlive(30)
                .will("will/good", new byte[] {1}, 1, false));
        assertThat(c.lastConnAck().connAckReturnCode()).isZero();
        assertThat(c.lastConnAck().sessionPresent()).isFalse();
        c.send(RawMqttClient.pingreq());
        c.expect(RawMqttClient.PINGRESP, PROMPTLY);
        c.disconnect();
        healthy.assertStillServed();
    }
}
