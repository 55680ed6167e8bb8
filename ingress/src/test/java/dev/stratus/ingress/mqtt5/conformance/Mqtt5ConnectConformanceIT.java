package dev.stratus.ingress.mqtt5.conformance;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static dev.stratus.ingress.support.Mqtt5Bytes.text;
import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawClients.connect5;
import static dev.stratus.ingress.support.RawClients.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.CONNACK;
import static dev.stratus.ingress.support.RawMqttClient.PINGRESP;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.SUBACK;
import static dev.stratus.ingress.support.RawMqttClient.concat;
import static dev.stratus.ingress.support.RawMqttClient.lengthPrefixed;
import static dev.stratus.ingress.support.RawMqttClient.packet;
import static dev.stratus.ingress.support.RawMqttClient.propByte;
import static dev.stratus.ingress.support.RawMqttClient.propU32;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.string;
import static dev.stratus.ingress.support.RawMqttClient.userProperty;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5.0 sections 3.1 (CONNECT), 3.2 (CONNACK) and 3.12 (PINGREQ) over raw MQTT 5 connections. */
class Mqtt5ConnectConformanceIT extends Mqtt5ConformanceTestBase {

    /** Ill-formed UTF-8: a lone continuation byte. */
    private static final byte[] BAD_UTF8 = {'a', (byte) 0x80, 'b'};

    /** An MQTT 5 CONNECT built by hand: connect flags, no properties, then the payload fields as given. */
    private static byte[] rawConnect5(int flags, byte[]... payload) {
        return packet(RawMqttClient.CONNECT, 0, concat(string("MQTT"), new byte[] {5, (byte) flags, 0, 60}, props(),
                concat(payload)));
    }

    // ---- 3.1.0 / 3.2.0: the first packet, one CONNECT, one CONNACK ----------------------------------------------

    @ParameterizedTest(name = "first packet type {0}")
    @ValueSource(ints = {RawMqttClient.PUBLISH, RawMqttClient.PINGREQ, RawMqttClient.SUBSCRIBE})
    @DisplayName("[MQTT5-3.1.0-1] [MQTT5-3.14.0-1] a first packet other than CONNECT closes the connection, with no "
            + "CONNACK and no DISCONNECT")
    void firstPacketMustBeConnect(int type) {
        RawMqttClient c = open();
        byte[] first = switch (type) {
            case RawMqttClient.PUBLISH -> publish("first/t", "x", 0, false, 0);
            case RawMqttClient.PINGREQ -> RawMqttClient.pingreq();
            default -> subscribe5(1, "first/#", 0);
        };
        c.send(first);
        assertThat(c.awaitClosed(PROMPTLY)).isEmpty();
    }

    @Test
    @DisplayName("[MQTT5-3.1.0-2] [MQTT5-3.2.0-2] a second CONNECT is a protocol error: DISCONNECT 0x82, no second "
            + "CONNACK, then the close")
    void secondConnect() {
        RawMqttClient c = connected("second-connect-5");
        c.send(connect5("second-connect-5").build());
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got).extracting(Packet::typeName).containsExactly("DISCONNECT");
        assertThat(got.get(0).reasonCode()).isEqualTo(0x82);
    }

    @Test
    @DisplayName("[MQTT5-3.2.0-1] [MQTT5-3.12.4-1] CONNACK 0x00 is the first packet the server sends, even when the "
            + "client sends more packets right behind its CONNECT; PINGREQ gets PINGRESP")
    void connackFirst() {
        RawMqttClient c = open();
        c.send(concat(connect5("connack-first").build(), subscribe5(3, "connack-first/#", 1), RawMqttClient.pingreq()));
        Packet first = c.readPacket(PROMPTLY);
        assertThat(first.typeName()).isEqualTo("CONNACK");
        assertThat(first.reasonCode()).isZero();
        assertThat(c.expect(SUBACK, PROMPTLY).packetId()).isEqualTo(3);
        c.expect(PINGRESP, PROMPTLY);
        c.send(RawMqttClient.pingreq());
        c.expect(PINGRESP, PROMPTLY);
    }

    // ---- 3.1.2: protocol name and level, flags -------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-3.1.2-1] a protocol name other than MQTT: at most a refusing CONNACK, then the close")
    void wrongProtocolName() {
        RawMqttClient c = open();
        c.send(connect5("wrong-name").protocolName("MQTX").build());
        assertUnsupportedProtocol(c.awaitClosed(PROMPTLY));
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-2] a protocol level the server does not support (6): at most a refusing CONNACK, "
            + "then the close")
    void unsupportedProtocolLevel() {
        RawMqttClient c = open();
        c.send(connect5("level-6").protocolLevel(6).build());
        assertUnsupportedProtocol(c.awaitClosed(PROMPTLY));
    }

    /** The server cannot know which CONNACK format the client reads: 3.1.1's 0x01 or 5.0's 0x84, or none. */
    private static void assertUnsupportedProtocol(List<Packet> got) {
        assertThat(got).hasSizeLessThanOrEqualTo(1);
        if (!got.isEmpty()) {
            assertThat(got.get(0).typeName()).isEqualTo("CONNACK");
            assertThat(got.get(0).body()[0]).as("Session Present 0").isZero();
            assertThat(got.get(0).body()[1] & 0xFF).as("0x01 (3.1.1) or 0x84 (5.0)").isIn(0x01, 0x84);
        }
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-3] the reserved connect flag set: malformed, the connection is closed")
    void reservedConnectFlag() {
        RawMqttClient c = open();
        c.send(connect5("reserved-flag").setFlags(0x01).build());
        assertRefusedOrClosed(c);
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-6] [MQTT5-3.2.2-3] [MQTT5-3.2.2-1] [MQTT5-3.1.4-5] Clean Start 0 without a session "
            + "creates one (Session Present 0); reconnecting resumes it (Session Present 1) with its subscriptions")
    void cleanStartZeroCreatesThenResumes() {
        RawMqttClient first = connected(resume5("cs0-new", propU32(0x11, 60)));
        Packet ack = first.lastConnAck();
        assertThat(ack.reasonCode()).isZero();
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(ack.body()[0] & 0xFE).as("reserved bits 7-1 of the Connect Acknowledge Flags").isZero();
        subscribe(first, 1, "cs0/t", 1);
        first.send(RawMqttClient.disconnect5(0x00, props()));
        first.awaitClosed(PROMPTLY);

        RawMqttClient again = connected(resume5("cs0-new", propU32(0x11, 60)));
        assertThat(again.lastConnAck().sessionPresent()).isTrue();
        assertThat(again.lastConnAck().body()[0] & 0xFE).isZero();
        RawMqttClient pub = connected("cs0-pub");
        pub.send(publish("cs0/t", "still subscribed", 0, false, 0));
        assertThat(text(again.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("still subscribed");
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-4] [MQTT5-3.1.4-4] [MQTT5-3.2.2-2] Clean Start 1 discards the existing session: "
            + "Session Present 0 and its subscriptions are gone")
    void cleanStartOneDiscards() {
        RawMqttClient first = connected(resume5("cs1-old", propU32(0x11, 60)));
        subscribe(first, 1, "cs1/t", 1);
        first.close();
        RawMqttClient clean = connected(connect5("cs1-old", propU32(0x11, 60)));
        assertThat(clean.lastConnAck().reasonCode()).isZero();
        assertThat(clean.lastConnAck().sessionPresent()).isFalse();
        RawMqttClient pub = connected("cs1-pub");
        pub.send(publish("cs1/t", "to nobody", 1, false, 1));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).as("no matching subscribers").isEqualTo(0x10);
        clean.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-2] the Client Identifier names the session: another id gets no session, the same id "
            + "gets its session with what was queued for it")
    void clientIdIdentifiesSession() {
        RawMqttClient owner = connected(resume5("cid-owner", propU32(0x11, 60)));
        subscribe(owner, 1, "cid/t", 1);
        owner.close();
        RawMqttClient pub = connected("cid-pub");
        pub.send(publish("cid/t", "for the owner", 1, false, 1));
        pub.expect(PUBACK, PROMPTLY);

        RawMqttClient stranger = connected(resume5("cid-stranger", propU32(0x11, 60)));
        assertThat(stranger.lastConnAck().sessionPresent()).isFalse();
        stranger.assertNoPacket(QUIET);
        stranger.send(RawMqttClient.disconnect5(0x00, props(propU32(0x11, 0))));

        RawMqttClient back = connected(resume5("cid-owner", propU32(0x11, 60)));
        assertThat(back.lastConnAck().sessionPresent()).isTrue();
        assertThat(text(back.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("for the owner");
    }

    // ---- the Will -------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-3.1.2-7] [MQTT5-3.1.2-8] [MQTT5-3.1.2-14] a will is stored with the session and published, "
            + "not retained, when the network connection closes without DISCONNECT")
    void willPublishedNotRetained() {
        RawMqttClient watcher = connected("will-watcher");
        subscribe(watcher, 1, "will/plain", 0x08 | 1); // Retain As Published: RETAIN shows as it was published
        RawMqttClient dying = connected(connect5("will-plain").will("will/plain", utf8("gone"), 1, false));
        dying.send(RawMqttClient.pingreq());
        dying.expect(PINGRESP, PROMPTLY);
        watcher.assertNoPacket(QUIET);
        dying.close();
        Packet will = watcher.expect(PUBLISH, PROMPTLY);
        assertThat(text(will.payload5())).isEqualTo("gone");
        assertThat(will.retain()).isFalse();
        assertThat(will.qos()).isEqualTo(1);
        watcher.send(RawMqttClient.puback(will.packetId()));

        RawMqttClient late = connected("will-late");
        subscribe(late, 1, "will/plain", 1);
        late.assertNoPacket(QUIET); // nothing retained
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-15] a will with Will Retain 1 is published as a retained message")
    void willPublishedRetained() {
        RawMqttClient watcher = connected("will-r-watcher");
        subscribe(watcher, 1, "will/retained", 0x08);
        RawMqttClient dying = connected(connect5("will-retained").will("will/retained", utf8("last words"), 0, true));
        dying.close();
        Packet will = watcher.expect(PUBLISH, PROMPTLY);
        assertThat(will.retain()).isTrue();
        RawMqttClient late = connected("will-r-late");
        late.send(subscribe5(1, "will/retained", 0));
        List<Packet> two = List.of(late.readPacket(PROMPTLY), late.readPacket(PROMPTLY));
        assertThat(two).extracting(Packet::typeName).containsExactlyInAnyOrder("SUBACK", "PUBLISH");
        Packet got = two.stream().filter(p -> p.type() == PUBLISH).findFirst().orElseThrow();
        assertThat(got.retain()).as("sent because it is retained").isTrue();
        assertThat(text(got.payload5())).isEqualTo("last words");
        late.send(publish("will/retained", "", 0, true, 0)); // clear the retained will
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-10] [MQTT5-3.14.4-3] a will is removed once published, and on DISCONNECT 0x00: "
            + "neither is published (again) when the session ends")
    void willRemovedOncePublishedOrOnNormalDisconnect() {
        RawMqttClient watcher = connected("will-rm-watcher");
        subscribe(watcher, 1, "will/rm/#", 0);
        RawMqttClient dying = connected(connect5("will-rm-a", propU32(0x11, 1)).will("will/rm/a", utf8("a"), 0, false));
        RawMqttClient polite = connected(connect5("will-rm-b", propU32(0x11, 1)).will("will/rm/b", utf8("b"), 0, false));
        polite.send(RawMqttClient.disconnect5(0x00, props()));
        polite.awaitClosed(PROMPTLY);
        dying.close();
        assertThat(watcher.expect(PUBLISH, PROMPTLY).topic()).isEqualTo("will/rm/a");
        // both sessions end after 1 s: no will for either of them
        watcher.assertNoPacket(Duration.ofMillis(1800));
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-10] [MQTT5-3.1.3-1] [MQTT5-3.1.3-3] a CONNECT with every payload field in order "
            + "(client id, will properties, will topic, will payload, user name, password) is accepted; the will "
            + "keeps its User Properties in order")
    void fullPayloadAndWillUserProperties() {
        RawMqttClient watcher = connected("will-up-watcher");
        subscribe(watcher, 1, "will/up", 0);
        RawMqttClient dying = connected(connect5("will-up").will("will/up", utf8("bye"), 0, false)
                .willProperties(userProperty("z", "1"), userProperty("a", "2"), userProperty("z", "3"))
                .username(USER).password(PASSWORD));
        assertThat(dying.lastConnAck().reasonCode()).isZero();
        dying.close();
        Packet will = watcher.expect(PUBLISH, PROMPTLY);
        assertThat(text(will.payload5())).isEqualTo("bye");
        assertThat(will.propertyList()).extracting(p -> text(p[1]))
                .containsExactly("\0\1z\0\0011", "\0\1a\0\0012", "\0\1z\0\0013");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"will flag without will fields", "will QoS without will flag", "will QoS 3",
            "will retain without will flag"})
    @DisplayName("[MQTT5-3.1.2-9] [MQTT5-3.1.2-11] [MQTT5-3.1.2-12] [MQTT5-3.1.2-13] will flags that contradict the "
            + "payload: the connection is closed without CONNACK 0x00")
    void inconsistentWillFlags(String which) {
        RawMqttClient.Connect connect = switch (which) {
            case "will flag without will fields" -> connect5("bad-will").setFlags(0x04);
            case "will QoS without will flag" -> connect5("bad-will").setFlags(0x08);
            case "will QoS 3" -> connect5("bad-will").will("will/q3", utf8("x"), 3, false);
            default -> connect5("bad-will").setFlags(0x20);
        };
        RawMqttClient c = open();
        c.send(connect.build());
        assertRefusedOrClosed(c);
    }

    // ---- user name and password -----------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-3.1.2-17] [MQTT5-3.1.2-19] the User Name and Password flags with their fields are "
            + "accepted; a flag whose field is missing closes the connection")
    void userNameAndPasswordPresentAsFlagged() {
        RawMqttClient good = connected(connect5("creds-ok").username(USER).password(PASSWORD));
        assertThat(good.lastConnAck().reasonCode()).isZero();

        RawMqttClient noName = open();
        noName.send(connect5("creds-no-name").setFlags(0x80).build());
        assertRefusedOrClosed(noName);
        RawMqttClient noPassword = open();
        noPassword.send(connect5("creds-no-pw").username(USER).setFlags(0x40).build());
        assertRefusedOrClosed(noPassword);
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-16] [MQTT5-3.1.2-18] a User Name or Password present while its flag is 0: the "
            + "connection is closed without CONNACK 0x00")
    void userNameOrPasswordWithoutFlag() {
        RawMqttClient name = open();
        name.send(rawConnect5(0x02, string("creds-extra-name"), string(USER)));
        assertRefusedOrClosed(name);
        RawMqttClient password = open();
        password.send(rawConnect5(0x02 | 0x80, string("creds-extra-pw"), string(USER), lengthPrefixed(utf8(PASSWORD))));
        assertRefusedOrClosed(password);
    }

    @Test
    @DisplayName("[MQTT5-3.1.4-2] [MQTT5-3.2.2-6] [MQTT5-3.2.2-7] [MQTT5-3.2.2-8] [MQTT5-4.13.2-1] [MQTT5-3.14.0-1] "
            + "a wrong password: CONNACK 0x86 with Session Present 0 even for an existing session, no DISCONNECT, "
            + "then the close")
    void badPassword() {
        RawMqttClient owner = connected(resume5(USER + "-session", propU32(0x11, 60)).username(USER).password(PASSWORD));
        owner.close();
        RawMqttClient c = open();
        c.send(resume5(USER + "-session", propU32(0x11, 60)).username(USER).password("wrong").build());
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got).extracting(Packet::typeName).containsExactly("CONNACK");
        assertThat(got.get(0).reasonCode()).isEqualTo(0x86);
        assertThat(CONNECT_REASON_CODES).contains(got.get(0).reasonCode());
        assertThat(got.get(0).sessionPresent()).isFalse();
        assertThat(got.get(0).body()[0] & 0xFE).isZero();
    }

    @Test
    @DisplayName("[MQTT5-3.1.4-6] after a refused CONNECT nothing the client sent behind it is processed")
    void nothingProcessedAfterRefusal() {
        RawMqttClient watcher = connected("refused-watcher");
        subscribe(watcher, 1, "refused/#", 0);
        RawMqttClient c = open();
        c.send(concat(connect5("refused").username(USER).password("wrong").build(),
                publish("refused/t", "must not arrive", 0, false, 0), publish("refused/t", "nor this", 1, false, 1)));
        List<Packet> got = c.awaitClosed(PROMPTLY);
        assertThat(got).extracting(Packet::typeName).containsExactly("CONNACK");
        watcher.assertNoPacket(QUIET);
    }

    // ---- 3.1.3: the payload ----------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-3.1.3-5] a client id of 23 characters from 0-9, a-z, A-Z is accepted as it is")
    void twentyThreeCharacterClientId() {
        RawMqttClient c = connected("abcdefghijKLMNOPQRST012");
        assertThat(c.lastConnAck().reasonCode()).isZero();
        assertThat(c.lastConnAck().properties5()).as("no Assigned Client Identifier").doesNotContainKey(0x12);
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-4] [MQTT5-3.1.3-8] a client id that is not well-formed UTF-8 is rejected: at most a "
            + "refusing CONNACK (0x85), then the close")
    void clientIdNotUtf8() {
        RawMqttClient c = open();
        c.send(rawConnect5(0x02, lengthPrefixed(BAD_UTF8)));
        assertRefusedOrClosed(c);
        RawMqttClient nul = open();
        nul.send(rawConnect5(0x02, lengthPrefixed(new byte[] {'a', 0, 'b'})));
        assertRefusedOrClosed(nul);
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-11] a will topic that is not well-formed UTF-8: the connection is closed")
    void willTopicNotUtf8() {
        RawMqttClient c = open();
        c.send(rawConnect5(0x02 | 0x04, string("bad-will-topic"), props(), lengthPrefixed(BAD_UTF8),
                lengthPrefixed(utf8("x"))));
        assertRefusedOrClosed(c);
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-12] a user name that is not well-formed UTF-8: the connection is closed")
    void userNameNotUtf8() {
        RawMqttClient c = open();
        c.send(rawConnect5(0x02 | 0x80, string("bad-user"), lengthPrefixed(BAD_UTF8)));
        assertRefusedOrClosed(c);
    }

    @Test
    @DisplayName("[MQTT5-3.1.4-1] a CONNECT that does not match the format (cut short inside its variable header): "
            + "the connection is closed")
    void connectOfWrongFormat() {
        RawMqttClient c = open();
        c.send(packet(RawMqttClient.CONNECT, 0, concat(string("MQTT"), new byte[] {5, 2})));
        assertRefusedOrClosed(c);
    }

    // ---- CONNACK properties ----------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-3.1.2-28] Request Response Information 0 (and absent): no Response Information in CONNACK")
    void noResponseInformation() {
        RawMqttClient zero = connected(connect5("rri-0", propByte(0x19, 0)));
        assertThat(zero.lastConnAck().reasonCode()).isZero();
        assertThat(zero.lastConnAck().properties5()).doesNotContainKey(0x1A);
        RawMqttClient absent = connected("rri-absent");
        assertThat(absent.lastConnAck().properties5()).doesNotContainKey(0x1A);
    }
}
