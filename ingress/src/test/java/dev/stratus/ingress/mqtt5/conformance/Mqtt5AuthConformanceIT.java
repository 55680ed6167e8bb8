package dev.stratus.ingress.mqtt5.conformance;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.ScramClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.stratus.ingress.support.Mqtt5Bytes.stringValue;
import static dev.stratus.ingress.support.RawClients.connect5;
import static dev.stratus.ingress.support.RawMqttClient.AUTH;
import static dev.stratus.ingress.support.RawMqttClient.concat;
import static dev.stratus.ingress.support.RawMqttClient.packet;
import static dev.stratus.ingress.support.RawMqttClient.propBinary;
import static dev.stratus.ingress.support.RawMqttClient.propString;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5.0 section 3.15 (AUTH) and 4.12 (enhanced authentication) with SCRAM-SHA-256, over raw packets. */
class Mqtt5AuthConformanceIT extends Mqtt5ConformanceTestBase {

    private static final String METHOD = "SCRAM-SHA-256";
    /** Authenticate Reason Codes, Table 3-12 [MQTT5-3.15.2-1]. */
    private static final Set<Integer> AUTH_REASON_CODES = Set.of(0x00, 0x18, 0x19);

    private static byte[] auth(int reason, byte[] data) {
        return packet(AUTH, 0, concat(new byte[] {(byte) reason},
                props(propString(0x15, METHOD), propBinary(0x16, data))));
    }

    private static byte[] data(Packet p) {
        byte[] v = p.properties5().get(0x16);
        return Arrays.copyOfRange(v, 2, v.length);
    }

    /** The server's AUTH: a code of Table 3-12, and nothing but the method and the data. */
    private static void assertServerAuth(Packet p, int code) {
        assertThat(p.type()).as("AUTH from the server").isEqualTo(AUTH);
        assertThat(p.reasonCode()).isEqualTo(code);
        assertThat(AUTH_REASON_CODES).contains(p.reasonCode());
        assertThat(propertyIds(p)).as("no Reason String, no User Property").containsExactly(0x15, 0x16);
        assertThat(stringValue(p.properties5().get(0x15))).isEqualTo(METHOD);
    }

    @Test
    @DisplayName("[MQTT5-3.15.2-1] [MQTT5-3.15.2-2] [MQTT5-3.15.2-3] [MQTT5-4.12.0-2] [MQTT5-4.12.0-5] the server's AUTH "
            + "packets, on connect and on re-authentication, use Authenticate Reason Codes (0x18, then 0x00) and carry "
            + "the method and data only: no Reason String or User Properties")
    void serverAuthPackets() {
        RawMqttClient c = open();
        ScramClient scram = new ScramClient(USER, PASSWORD);
        c.send(connect5("auth-codes", propString(0x15, METHOD), propBinary(0x16, scram.clientFirst())).build());
        Packet challenge = c.readPacket(PROMPTLY);
        assertServerAuth(challenge, 0x18);
        c.send(auth(0x18, scram.clientFinal(data(challenge))));
        Packet connack = c.readPacket(PROMPTLY);
        assertThat(connack.typeName()).isEqualTo("CONNACK");
        assertThat(connack.reasonCode()).isZero();

        ScramClient again = new ScramClient(USER, PASSWORD);
        c.send(auth(0x19, again.clientFirst()));
        Packet reChallenge = c.readPacket(PROMPTLY);
        assertServerAuth(reChallenge, 0x18);
        c.send(auth(0x18, again.clientFinal(data(reChallenge))));
        assertServerAuth(c.readPacket(PROMPTLY), 0x00);
    }

    @Test
    @DisplayName("[MQTT5-4.12.0-3] a client that answers the server's AUTH with another code than 0x18 breaks the "
            + "protocol: CONNACK 0x82, then the close")
    void clientAnswerMustContinue() {
        RawMqttClient c = open();
        ScramClient scram = new ScramClient(USER, PASSWORD);
        c.send(connect5("auth-answer", propString(0x15, METHOD), propBinary(0x16, scram.clientFirst())).build());
        Packet challenge = c.readPacket(PROMPTLY);
        assertServerAuth(challenge, 0x18);
        c.send(auth(0x19, scram.clientFinal(data(challenge))));
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got).extracting(Packet::typeName).containsExactly("CONNACK");
        assertThat(got.get(0).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("[MQTT5-4.12.0-3] [MQTT5-4.12.1-2] during re-authentication too: an answer with another code than "
            + "0x18 gets DISCONNECT, then the close")
    void reauthenticationAnswerMustContinue() {
        RawMqttClient c = open();
        ScramClient scram = new ScramClient(USER, PASSWORD);
        c.send(connect5("reauth-answer", propString(0x15, METHOD), propBinary(0x16, scram.clientFirst())).build());
        Packet challenge = c.readPacket(PROMPTLY);
        c.send(auth(0x18, scram.clientFinal(data(challenge))));
        assertThat(c.readPacket(PROMPTLY).reasonCode()).isZero();
        ScramClient again = new ScramClient(USER, PASSWORD);
        c.send(auth(0x19, again.clientFirst()));
        Packet reChallenge = c.readPacket(PROMPTLY);
        c.send(auth(0x00, again.clientFinal(data(reChallenge))));
        Packet disconnect = awaitDisconnect(c);
        assertThat(disconnect.reasonCode()).isGreaterThanOrEqualTo(0x80);
    }
}
