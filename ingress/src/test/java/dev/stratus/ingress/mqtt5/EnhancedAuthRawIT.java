package dev.stratus.ingress.mqtt5;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.RawClients;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.ScramClient;
import dev.stratus.ingress.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.stratus.ingress.support.RawMqttClient.concat;
import static dev.stratus.ingress.support.RawMqttClient.packet;
import static dev.stratus.ingress.support.RawMqttClient.propBinary;
import static dev.stratus.ingress.support.RawMqttClient.propString;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MQTT 5 enhanced authentication (section 4.12) with SCRAM-SHA-256 over raw packets: the multi-step exchange,
 * failures, protocol errors in AUTH, and re-authentication of a connected client.
 */
class EnhancedAuthRawIT {

    private static final String METHOD = "SCRAM-SHA-256";
    private static final int AUTH = 15;
    private static final Duration PROMPTLY = Duration.ofSeconds(3);

    private static TestBroker broker;
    private final RawClients clients = new RawClients(() -> broker.tcpPort());

    @BeforeAll
    static void start() {
        broker = TestBroker.start(BrokerConfig.forTests().withAuth(
                new BrokerConfig.Auth(false, Map.of("alice", "wonderland", "bob", "builder"), List.of(), true)));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @AfterEach
    void closeClients() {
        clients.close();
    }

    private RawMqttClient open() {
        return clients.open();
    }

    private static byte[] auth(int reason, String method, byte[] data) {
        return packet(AUTH, 0, concat(new byte[] {(byte) reason},
                data == null ? props(propString(0x15, method)) : props(propString(0x15, method), propBinary(0x16, data))));
    }

    private static RawMqttClient.Connect scramConnect(String id, ScramClient scram) {
        return RawMqttClient.connectPacket(id).v5(propString(0x15, METHOD), propBinary(0x16, scram.clientFirst()));
    }

    private static byte[] data(Packet p) {
        byte[] v = p.properties5().get(0x16);
        return v == null ? null : java.util.Arrays.copyOfRange(v, 2, v.length);
    }

    private static String method(Packet p) {
        byte[] v = p.properties5().get(0x15);
        return v == null ? null : new String(v, 2, v.length - 2, StandardCharsets.UTF_8);
    }

    /** Runs the whole exchange of a CONNECT; returns the CONNACK. */
    private Packet scramConnect(RawMqttClient c, String id, ScramClient scram) {
        c.send(scramConnect(id, scram).build());
        Packet challenge = c.readPacket(PROMPTLY);
        assertThat(challenge.type()).as("AUTH from the broker").isEqualTo(AUTH);
        assertThat(challenge.reasonCode()).isEqualTo(0x18);
        assertThat(method(challenge)).isEqualTo(METHOD);
        c.send(auth(0x18, METHOD, scram.clientFinal(data(challenge))));
        return c.readPacket(PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT5-4.12.0-2] [MQTT5-4.12.0-5] SCRAM-SHA-256: AUTH 0x18 challenge, then CONNACK 0x00 with the "
            + "method and the server's proof")
    void scramSucceeds() {
        RawMqttClient c = open();
        ScramClient scram = new ScramClient("alice", "wonderland");
        Packet connack = scramConnect(c, "scram-ok", scram);
        assertThat(connack.typeName()).isEqualTo("CONNACK");
        assertThat(connack.reasonCode()).isZero();
        assertThat(method(connack)).isEqualTo(METHOD);
        assertThat(scram.serverFinalValid(data(connack))).as("the server proved it knows the password").isTrue();
        c.send(RawMqttClient.pingreq());
        c.expect(RawMqttClient.PINGRESP, PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT5-4.12.0-4] a wrong password ends the exchange with CONNACK 0x87 and the connection closes")
    void scramWrongPassword() {
        RawMqttClient c = open();
        Packet connack = scramConnect(c, "scram-bad", new ScramClient("alice", "looking-glass"));
        assertThat(connack.typeName()).isEqualTo("CONNACK");
        assertThat(connack.reasonCode()).isEqualTo(0x87);
        c.awaitClosed(PROMPTLY);
        assertThat(broker.broker().sessions().get(new dev.stratus.state.model.SessionKey(
                dev.stratus.state.model.TenantId.DEFAULT, "scram-bad"))).isNull();
    }

    @Test
    @DisplayName("[MQTT5-4.12.0-4] an unknown user goes through the same steps and is refused at the end")
    void scramUnknownUser() {
        RawMqttClient c = open();
        Packet connack = scramConnect(c, "scram-who", new ScramClient("mallory", "guess"));
        assertThat(connack.reasonCode()).isEqualTo(0x87);
        c.awaitClosed(PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT5-4.12.0-5] an AUTH step with another method is a protocol error: CONNACK 0x82")
    void authWithOtherMethod() {
        RawMqttClient c = open();
        c.send(scramConnect("other-method", new ScramClient("alice", "wonderland")).build());
        assertThat(c.readPacket(PROMPTLY).type()).isEqualTo(AUTH);
        c.send(auth(0x18, "SCRAM-SHA-1", "x".getBytes(StandardCharsets.UTF_8)));
        Packet p = c.readPacket(PROMPTLY);
        assertThat(p.typeName()).isEqualTo("CONNACK");
        assertThat(p.reasonCode()).isEqualTo(0x82);
        c.awaitClosed(PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT5-4.12.0-7] AUTH from a client whose CONNECT had no method: DISCONNECT 0x82")
    void authWithoutMethodInConnect() {
        RawMqttClient c = open();
        assertThat(c.connect(RawMqttClient.connectPacket("plain").username("bob").password("builder").v5())
                .reasonCode()).isZero();
        c.send(auth(0x19, METHOD, new ScramClient("bob", "builder").clientFirst()));
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got).extracting(Packet::typeName).containsExactly("DISCONNECT");
        assertThat(got.get(0).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("[MQTT5-4.12.0-6] a client that named no method gets no AUTH and no method in CONNACK")
    void noMethodNoAuth() {
        RawMqttClient c = open();
        Packet connack = c.connect(RawMqttClient.connectPacket("no-method").username("bob").password("builder").v5());
        assertThat(connack.reasonCode()).isZero();
        assertThat(connack.properties5()).doesNotContainKeys(0x15, 0x16);
    }

    @Test
    @DisplayName("[MQTT5-4.12.1-1] re-authentication (AUTH 0x19) runs the exchange again on a live connection and "
            + "ends with AUTH 0x00")
    void reauthentication() {
        RawMqttClient c = open();
        assertThat(scramConnect(c, "reauth", new ScramClient("alice", "wonderland")).reasonCode()).isZero();
        ScramClient again = new ScramClient("alice", "wonderland");
        c.send(auth(0x19, METHOD, again.clientFirst()));
        Packet challenge = c.readPacket(PROMPTLY);
        assertThat(challenge.type()).isEqualTo(AUTH);
        assertThat(challenge.reasonCode()).isEqualTo(0x18);
        c.send(RawMqttClient.pingreq()); // the connection goes on while re-authenticating
        c.expect(RawMqttClient.PINGRESP, PROMPTLY);
        c.send(auth(0x18, METHOD, again.clientFinal(data(challenge))));
        Packet done = c.readPacket(PROMPTLY);
        assertThat(done.type()).isEqualTo(AUTH);
        assertThat(done.reasonCode()).isZero();
        assertThat(again.serverFinalValid(data(done))).isTrue();
        c.send(RawMqttClient.pingreq());
        c.expect(RawMqttClient.PINGRESP, PROMPTLY);
    }

    @Test
    @DisplayName("[MQTT5-4.12.1-2] a failed re-authentication disconnects the client (DISCONNECT 0x87)")
    void reauthenticationFails() {
        RawMqttClient c = open();
        assertThat(scramConnect(c, "reauth-bad", new ScramClient("alice", "wonderland")).reasonCode()).isZero();
        ScramClient wrong = new ScramClient("alice", "rabbit-hole");
        c.send(auth(0x19, METHOD, wrong.clientFirst()));
        Packet challenge = c.readPacket(PROMPTLY);
        c.send(auth(0x18, METHOD, wrong.clientFinal(data(challenge))));
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got).extracting(Packet::typeName).containsExactly("DISCONNECT");
        assertThat(got.get(0).reasonCode()).isEqualTo(0x87);
    }

    @Test
    @DisplayName("AUTH with reason 0x00 from a client is a protocol error")
    void authSuccessFromClient() {
        RawMqttClient c = open();
        assertThat(scramConnect(c, "auth-0", new ScramClient("bob", "builder")).reasonCode()).isZero();
        c.send(auth(0x00, METHOD, null));
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got.get(got.size() - 1).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("password authentication still works for MQTT 5 clients without a method")
    void passwordStillWorks() {
        RawMqttClient c = open();
        assertThat(c.connect(RawMqttClient.connectPacket("pw").username("alice").password("nope").v5()).reasonCode())
                .isEqualTo(0x86);
    }
}
