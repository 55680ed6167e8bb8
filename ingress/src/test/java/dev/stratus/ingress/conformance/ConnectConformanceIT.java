package dev.stratus.ingress.conformance;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.stratus.ingress.support.RawMqttClient.CONNACK;
import static dev.stratus.ingress.support.RawMqttClient.PINGRESP;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.SUBACK;
import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static dev.stratus.ingress.support.RawMqttClient.packet;
import static dev.stratus.ingress.support.RawMqttClient.pingreq;
import static dev.stratus.ingress.support.RawMqttClient.publish;
import static dev.stratus.ingress.support.RawMqttClient.string;
import static dev.stratus.ingress.support.RawMqttClient.sub;
import static dev.stratus.ingress.support.RawMqttClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Section 3.1 CONNECT and 3.2 CONNACK: the payload fields and their flags, client identifiers, wills, and what the
 * broker does with a CONNECT it accepts or refuses. The broker knows one user, alice (password "secret"), and
 * lets anonymous clients in.
 */
class ConnectConformanceIT extends ConformanceTestBase {

    @Override
    BrokerConfig config() {
        return BrokerConfig.forTests()
                .withAuth(new BrokerConfig.Auth(true, Map.of("alice", "secret"), List.of(), true));
    }

    // ---- payload fields and their flags --------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.1.3-3] [MQTT-3.1.4-1] [MQTT-3.2.2-6] a CONNECT without payload (no client id) is closed "
            + "without CONNACK")
    void connectWithoutClientIdIsClosed() {
        byte[] variableHeader = concat(string("MQTT"), new byte[] {4, 0x02, 0, 60});
        assertClosedWithoutAnswer(packet(RawMqttClient.CONNECT, 0, variableHeader));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-9] [MQTT-3.1.4-1] the will flag without will topic and will message in the payload "
            + "closes the connection without CONNACK")
    void willFlagWithoutWillFieldsIsClosed() {
        assertClosedWithoutAnswer(connectPacket(unique("will-flag-only")).setFlags(0x04).build());
    }

    @Test
    @DisplayName("[MQTT-3.1.2-11] [MQTT-3.1.4-1] will topic and message in the payload without the will flag close "
            + "the connection without CONNACK")
    void willFieldsWithoutWillFlagAreClosed() {
        assertClosedWithoutAnswer(connectPacket(unique("will-fields-only"))
                .will("w/unflagged", bytes("x"), 0, false).clearFlags(0x04).build());
    }

    @Test
    @DisplayName("[MQTT-3.1.2-18] [MQTT-3.1.4-1] a user name in the payload without the user name flag closes the "
            + "connection without CONNACK")
    void userNameWithoutFlagIsClosed() {
        assertClosedWithoutAnswer(connectPacket(unique("user-unflagged")).username("alice").clearFlags(0x80).build());
    }

    @Test
    @DisplayName("[MQTT-3.1.2-19] [MQTT-3.1.4-1] the user name flag without a user name in the payload closes the "
            + "connection without CONNACK")
    void userNameFlagWithoutUserNameIsClosed() {
        assertClosedWithoutAnswer(connectPacket(unique("user-missing")).setFlags(0x80).build());
    }

    @Test
    @DisplayName("[MQTT-3.1.2-20] [MQTT-3.1.4-1] a password in the payload without the password flag closes the "
            + "connection without CONNACK")
    void passwordWithoutFlagIsClosed() {
        assertClosedWithoutAnswer(connectPacket(unique("password-unflagged")).username("alice").password("secret")
                .clearFlags(0x40).build());
    }

    @Test
    @DisplayName("[MQTT-3.1.2-21] [MQTT-3.1.4-1] the password flag without a password in the payload closes the "
            + "connection without CONNACK")
    void passwordFlagWithoutPasswordIsClosed() {
        assertClosedWithoutAnswer(connectPacket(unique("password-missing")).username("alice").setFlags(0x40).build());
    }

    @Test
    @DisplayName("[MQTT-3.1.2-19] [MQTT-3.1.2-21] user name and password flagged and present are the credentials "
            + "checked: right password CONNACK 0x00, wrong one 0x04")
    void flaggedUserNameAndPasswordAreAuthenticated() {
        assertThat(open().connect(connectPacket(unique("alice")).username("alice").password("secret"))
                .connAckReturnCode()).isZero();
        assertThat(open().connect(connectPacket(unique("alice")).username("alice").password("wrong"))
                .connAckReturnCode()).isEqualTo(0x04);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-1] client id, will topic, will message, user name and password, in this order, are "
            + "each read as what they are")
    void allPayloadFieldsInOrderAreRead() {
        String topic = unique("order/will");
        RawMqttClient watcher = connected(unique("order-watcher"));
        watcher.subscribeAndAwait(1, topic, 1);
        String id = unique("order-client");
        RawMqttClient c = connected(connectPacket(id).will(topic, bytes("last words of " + id), 1, false)
                .username("alice").password("secret"));
        assertThat(c.lastConnAck().connAckReturnCode()).as("alice authenticated with her password").isZero();
        c.abort();
        Packet will = nextPublish(watcher);
        assertThat(will.topic()).isEqualTo(topic);
        assertThat(will.payloadText()).isEqualTo("last words of " + id);
    }

    // ---- client identifiers and user names -----------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.1.3-5] client ids of 1 to 23 characters of 0-9, a-z, A-Z are accepted, also for a "
            + "persistent session")
    void shortAlphanumericClientIdsAreAccepted() {
        for (String id : List.of("a", "Z9", "0123456789abcdefXYZwxyz")) {
            RawMqttClient c = connected(connectPacket(id).cleanSession(false));
            c.disconnect();
            RawMqttClient again = connected(connectPacket(id).cleanSession(false));
            assertThat(again.lastConnAck().sessionPresent()).as("session of '%s' kept", id).isTrue();
            again.disconnect();
            connected(connectPacket(id)).disconnect(); // clean up the session
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-4] [MQTT-1.5.3-2] a client id holding U+0000 closes the connection without CONNACK")
    void clientIdWithNullCharacterIsClosed() {
        assertClosedWithoutAnswer(connectPacket("nul\u0000id").build());
    }

    @Test
    @DisplayName("[MQTT-3.1.3-11] a user name of ill-formed UTF-8 (C3 28) or holding U+0000 closes the connection "
            + "without CONNACK")
    void invalidUserNameIsClosed() {
        byte[] illFormed = connectPacket(unique("bad-user")).username("AB").build();
        // the user name is the last field: its two bytes are the last two of the packet
        illFormed[illFormed.length - 2] = (byte) 0xC3;
        illFormed[illFormed.length - 1] = 0x28;
        assertClosedWithoutAnswer(illFormed);
        assertClosedWithoutAnswer(connectPacket(unique("nul-user")).username("ali\u0000ce").build());
        // the same CONNECT with a valid user name is accepted
        connected(connectPacket(unique("good-user")).username("alice").password("secret"));
    }

    // ---- wills -----------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.1.2-9] the will is published with the Will QoS of the CONNECT (1 and 2, to a QoS 2 "
            + "subscriber)")
    void willIsPublishedWithItsWillQos() {
        String topic = unique("will-qos/");
        RawMqttClient watcher = connected(unique("will-qos-watcher"));
        watcher.subscribeAndAwait(1, topic + "/#", 2);
        for (int qos = 1; qos <= 2; qos++) {
            RawMqttClient c = connected(connectPacket(unique("will-qos")).will(topic + "/" + qos, bytes("q" + qos),
                    qos, false));
            c.abort();
            Packet will = nextPublish(watcher);
            assertThat(will.topic()).isEqualTo(topic + "/" + qos);
            assertThat(will.qos()).isEqualTo(qos);
            if (qos == 1) {
                watcher.send(RawMqttClient.puback(will.packetId()));
            } else {
                watcher.send(RawMqttClient.pubrec(will.packetId()));
                watcher.expect(RawMqttClient.PUBREL, PROMPTLY);
                watcher.send(RawMqttClient.pubcomp(will.packetId()));
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-12] without the will flag nothing is published when the connection drops")
    void noWillIsPublishedWithoutWillFlag() {
        RawMqttClient watcher = connected(unique("no-will-watcher"));
        watcher.subscribeAndAwait(1, "#", 2);
        RawMqttClient c = connected(unique("no-will"));
        c.abort();
        RawMqttClient other = connected(unique("no-will-reset"));
        other.close();
        watcher.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-16] a will with Will Retain=0 is published as a non-retained message")
    void willWithoutRetainIsNotRetained() {
        String topic = unique("will-plain/t");
        RawMqttClient watcher = connected(unique("will-plain-watcher"));
        watcher.subscribeAndAwait(1, topic, 1);
        connected(connectPacket(unique("will-plain")).will(topic, bytes("gone"), 1, false)).abort();
        Packet will = nextPublish(watcher);
        assertThat(will.payloadText()).isEqualTo("gone");
        assertThat(will.retain()).isFalse();
        watcher.send(RawMqttClient.puback(will.packetId()));
        // a later subscriber gets no retained message
        RawMqttClient late = connected(unique("will-plain-late"));
        late.subscribeAndAwait(1, topic, 1);
        late.assertNoPacket(QUIET);
    }

    // ---- accepting and refusing ------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.1.4-5] packets pipelined behind a refused CONNECT (protocol level 6, wrong password) are "
            + "not processed")
    void packetsAfterRefusedConnectAreIgnored() {
        String topic = unique("refused/t");
        RawMqttClient watcher = connected(unique("refused-watcher"));
        watcher.subscribeAndAwait(1, topic, 1);
        List<RawMqttClient.Connect> refused = List.of(
                connectPacket(unique("refused-level")).protocolLevel(6),
                connectPacket(unique("refused-password")).username("alice").password("wrong"));
        for (RawMqttClient.Connect connect : refused) {
            RawMqttClient c = open();
            c.sendRaw(concat(connect.build(), publish(topic, bytes("must not arrive"), 1, true, false, 1),
                    subscribe(2, sub(topic, 1)), pingreq()));
            List<Packet> got = c.awaitClosed(PROMPTLY);
            assertThat(got).as("only the refusing CONNACK").hasSize(1);
            assertThat(got.get(0).type()).isEqualTo(CONNACK);
            assertThat(got.get(0).connAckReturnCode()).isNotZero();
        }
        watcher.assertNoPacket(QUIET);
        RawMqttClient late = connected(unique("refused-late"));
        late.subscribeAndAwait(1, topic, 1);
        late.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT-3.2.0-1] the first packet the broker sends is CONNACK, even with queued and retained "
            + "messages waiting and SUBSCRIBE and PINGREQ pipelined behind the CONNECT")
    void connAckIsTheFirstPacket() {
        String id = unique("first-connack");
        String topic = unique("first/t");
        RawMqttClient before = persistent(id);
        before.subscribeAndAwait(1, topic + "/#", 1);
        before.disconnect();
        RawMqttClient publisher = connected(unique("first-publisher"));
        publisher.send(publish(topic + "/queued", bytes("queued"), 1, false, false, 1));
        publisher.expect(RawMqttClient.PUBACK, PROMPTLY);
        publisher.send(publish(topic + "/retained", bytes("retained"), 1, true, false, 2));
        publisher.expect(RawMqttClient.PUBACK, PROMPTLY);

        RawMqttClient c = open();
        c.sendRaw(concat(connectPacket(id).cleanSession(false).build(), subscribe(7, sub(topic + "/#", 1)),
                pingreq()));
        Packet first = c.readPacket(PROMPTLY);
        assertThat(first.type()).as("first packet: " + first).isEqualTo(CONNACK);
        assertThat(first.connAckReturnCode()).isZero();
        assertThat(first.sessionPresent()).isTrue();
        // the rest follows, in an order of the broker's choosing: SUBACK, PINGRESP, the queued and retained messages
        List<Integer> types = new java.util.ArrayList<>();
        while (!types.contains(PINGRESP) || !types.contains(SUBACK) || !types.contains(PUBLISH)) {
            types.add(c.readPacket(PROMPTLY).type());
        }
        assertThat(types).doesNotContain(CONNACK);
        connected(connectPacket(id)).disconnect(); // clean up the session
    }
}
