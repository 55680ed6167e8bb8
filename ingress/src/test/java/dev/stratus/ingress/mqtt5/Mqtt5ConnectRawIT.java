package dev.stratus.ingress.mqtt5;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.stratus.ingress.support.Mqtt5Bytes.stringValue;
import static dev.stratus.ingress.support.Mqtt5Bytes.u16;
import static dev.stratus.ingress.support.Mqtt5Bytes.u32;
import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawClients.awaitDisconnect;
import static dev.stratus.ingress.support.RawClients.connect5;
import static dev.stratus.ingress.support.RawMqttClient.propBinary;
import static dev.stratus.ingress.support.RawMqttClient.propByte;
import static dev.stratus.ingress.support.RawMqttClient.propString;
import static dev.stratus.ingress.support.RawMqttClient.propU16;
import static dev.stratus.ingress.support.RawMqttClient.propU32;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5 CONNECT and CONNACK as raw packets: what the server announces, assigns and refuses. */
class Mqtt5ConnectRawIT extends Mqtt5RawTestBase {

    @Test
    @DisplayName("[MQTT5-3.2.2-9] section 3.2.2.3: CONNACK announces the server's Receive Maximum, Maximum Packet Size, Topic Alias "
            + "Maximum, and nothing for the switches that are on")
    void connackAnnouncesServerLimits() {
        RawMqttClient c = connected("limits");
        Packet ack = c.lastConnAck();
        assertThat(ack.reasonCode()).isZero();
        Map<Integer, byte[]> p = ack.properties5();
        assertThat(u16(p.get(0x21))).as("Receive Maximum").isEqualTo(RECEIVE_MAXIMUM);
        assertThat(u32(p.get(0x27))).as("Maximum Packet Size").isEqualTo(MAX_PACKET_SIZE);
        assertThat(u16(p.get(0x22))).as("Topic Alias Maximum").isEqualTo(TOPIC_ALIAS_MAXIMUM);
        assertThat(p).as("only what differs from the defaults").doesNotContainKeys(0x24, 0x25, 0x28, 0x29, 0x2A, 0x12,
                0x13);
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-6] [MQTT5-3.1.3-7] [MQTT5-3.2.2-16] an empty client id gets an Assigned Client "
            + "Identifier, also without Clean Start")
    void emptyClientIdIsAssigned() {
        RawMqttClient c = connected(connect5("").cleanSession(false));
        byte[] assigned = c.lastConnAck().properties5().get(0x12);
        assertThat(assigned).as("Assigned Client Identifier").isNotNull();
        assertThat(stringValue(assigned)).as("23 characters of [0-9a-zA-Z] [MQTT5-3.1.3-5]")
                .matches("stratus[0-9a-zA-Z]{16}");
        RawMqttClient other = connected(connect5(""));
        assertThat(stringValue(other.lastConnAck().properties5().get(0x12))).isNotEqualTo(stringValue(assigned));
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-22] section 3.2.2.3.14: a keep alive of 0 or above the maximum is answered with Server Keep Alive")
    void serverKeepAlive() {
        RawMqttClient none = connected(connect5("ka-0").keepAlive(0));
        assertThat(u16(none.lastConnAck().properties5().get(0x13))).isEqualTo(60);
        RawMqttClient big = connected(connect5("ka-big").keepAlive(600));
        assertThat(u16(big.lastConnAck().properties5().get(0x13))).isEqualTo(60);
        RawMqttClient fine = connected(connect5("ka-ok").keepAlive(30));
        assertThat(fine.lastConnAck().properties5()).doesNotContainKey(0x13);
    }

    @Test
    @DisplayName("section 3.2.2.3.2: a Session Expiry Interval above the maximum is granted as the maximum, and CONNACK "
            + "says so")
    void sessionExpiryIsCapped() {
        RawMqttClient c = connected(connect5("expiry-cap", propU32(0x11, 0xFFFFFFFFL)));
        assertThat(u32(c.lastConnAck().properties5().get(0x11))).isEqualTo(MAX_SESSION_EXPIRY);
        RawMqttClient ok = connected(connect5("expiry-ok", propU32(0x11, 60)));
        assertThat(ok.lastConnAck().properties5()).doesNotContainKey(0x11);
    }

    @Test
    @DisplayName("section 3.1.2.11.6: Request Response Information 1 gets Response Information in CONNACK; 0 gets none")
    void responseInformation() {
        RawMqttClient asks = connected(connect5("asker", propByte(0x19, 1)));
        assertThat(stringValue(asks.lastConnAck().properties5().get(0x1A))).isEqualTo("response/asker/");
        RawMqttClient silent = connected(connect5("silent"));
        assertThat(silent.lastConnAck().properties5()).doesNotContainKey(0x1A);
    }

    @Test
    @DisplayName("[MQTT5-4.12.0-1] an unknown Authentication Method is refused with CONNACK 0x8C")
    void unknownAuthenticationMethod() {
        RawMqttClient c = open();
        Packet ack = c.connect(connect5("auth", propString(0x15, "NO-SUCH-METHOD"), propBinary(0x16, utf8("x"))));
        assertThat(ack.reasonCode()).isEqualTo(0x8C);
        c.awaitClosed(PROMPTLY);
    }

    @Test
    @DisplayName("section 3.1.2.11.3: a Receive Maximum of 0 is a protocol error: CONNACK 0x82")
    void receiveMaximumZero() {
        RawMqttClient c = open();
        assertThat(c.connect(connect5("rm0", propU16(0x21, 0))).reasonCode()).isEqualTo(0x82);
        c.awaitClosed(PROMPTLY);
    }

    @Test
    @DisplayName("section 3.1.2.11.4: a Maximum Packet Size of 0 is a protocol error: CONNACK 0x82")
    void maximumPacketSizeZero() {
        RawMqttClient c = open();
        assertThat(c.connect(connect5("mps0", propU32(0x27, 0))).reasonCode()).isEqualTo(0x82);
        c.awaitClosed(PROMPTLY);
    }

    @Test
    @DisplayName("(section 2.2.2.2) a property given twice in CONNECT is a protocol error: CONNACK 0x82")
    void duplicateConnectProperty() {
        RawMqttClient c = open();
        c.send(connect5("dup", propU32(0x11, 10), propU32(0x11, 20)).build());
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).typeName()).isEqualTo("CONNACK");
        assertThat(got.get(0).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("section 2.2.2.2: a property not valid in CONNECT (Topic Alias) is a malformed packet: CONNACK 0x81")
    void propertyNotValidInConnect() {
        RawMqttClient c = open();
        c.send(connect5("bad-prop", propU16(0x23, 1)).build());
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got).extracting(Packet::reasonCode).containsExactly(0x81);
    }

    @Test
    @DisplayName("a Request Problem Information of 2 is a protocol error")
    void requestProblemInformationTwo() {
        RawMqttClient c = open();
        assertThat(c.connect(connect5("rpi", propByte(0x17, 2))).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("[MQTT5-3.1.4-3] [MQTT5-3.14.2-1] a session taken over is told so: DISCONNECT 0x8E")
    void takeoverDisconnects() {
        RawMqttClient first = connected("same-id");
        RawMqttClient second = connected("same-id");
        assertThat(awaitDisconnect(first).reasonCode()).isEqualTo(0x8E);
        second.send(RawMqttClient.pingreq());
        second.expect(RawMqttClient.PINGRESP, PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-22] no packet within 1.5 times the keep alive: DISCONNECT 0x8D")
    void keepAliveTimeout() {
        RawMqttClient c = connected(connect5("sleepy").keepAlive(1));
        List<Packet> got = c.awaitClosed(Duration.ofSeconds(4));
        assertThat(got).extracting(Packet::typeName).containsExactly("DISCONNECT");
        assertThat(got.get(0).reasonCode()).isEqualTo(0x8D);
    }

    @Test
    @DisplayName("[MQTT5-4.13.1-1] a protocol error after CONNACK gets DISCONNECT 0x82 before the close")
    void protocolErrorGetsDisconnect() {
        RawMqttClient c = connected("second-connect");
        c.send(connect5("second-connect").build()); // [MQTT-3.1.0-2] a second CONNECT
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("MQTT 3.1.1 clients get no DISCONNECT from the server: they are just closed")
    void mqtt311ClientIsJustClosed() {
        RawMqttClient c = connected(RawMqttClient.connectPacket("old-timer"));
        c.send(RawMqttClient.connectPacket("old-timer").build());
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
    }
}
