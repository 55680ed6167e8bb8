package dev.stratus.ingress.mqtt5;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.stratus.ingress.support.Mqtt5Bytes.text;
import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static dev.stratus.ingress.support.RawClients.awaitDisconnect;
import static dev.stratus.ingress.support.RawClients.connect5;
import static dev.stratus.ingress.support.RawClients.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBLISH;
import static dev.stratus.ingress.support.RawMqttClient.disconnect5;
import static dev.stratus.ingress.support.RawMqttClient.propU32;
import static dev.stratus.ingress.support.RawMqttClient.props;
import static dev.stratus.ingress.support.RawMqttClient.publish5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** MQTT 5 session expiry, Clean Start, DISCONNECT reason codes and wills. */
class Mqtt5SessionRawIT extends Mqtt5RawTestBase {

    private static final Duration QUIET = Duration.ofMillis(200);

    private static RawMqttClient.Connect resume(String id, long expiry) {
        return RawMqttClient.connectPacket(id).cleanSession(false).v5(propU32(0x11, expiry));
    }

    private static boolean sessionExists(String id) {
        return broker.broker().sessions().get(new SessionKey(TenantId.DEFAULT, id)) != null;
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-23] a session with an expiry outlives its connection and keeps what arrives meanwhile")
    void sessionOutlivesConnection() {
        RawMqttClient c = connected(connect5("keeper", propU32(0x11, 300)));
        subscribe(c, 1, "keep/t", 1);
        c.send(disconnect5(0, props()));
        c.awaitClosed(PROMPTLY);
        RawMqttClient pub = connected("keep-pub");
        pub.send(publish5("keep/t", utf8("while away"), 1, false, 1, props()));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).as("matched the offline session").isZero();

        RawMqttClient back = connected(resume("keeper", 300));
        assertThat(back.lastConnAck().sessionPresent()).isTrue();
        assertThat(text(back.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("while away");
    }

    @Test
    @DisplayName("[MQTT5-4.1.0-2] the session ends once its Session Expiry Interval has passed")
    void sessionExpires() {
        RawMqttClient c = connected(connect5("brief", propU32(0x11, 1)));
        subscribe(c, 1, "brief/t", 1);
        c.abort();
        await("session expired").atMost(Duration.ofSeconds(5)).until(() -> !sessionExists("brief"));
        RawMqttClient back = connected(resume("brief", 1));
        assertThat(back.lastConnAck().sessionPresent()).isFalse();
        RawMqttClient pub = connected("brief-pub");
        pub.send(publish5("brief/t", utf8("x"), 1, false, 1, props()));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).as("its subscription is gone").isEqualTo(0x10);
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-5] Clean Start 0 with expiry 0 resumes an existing session, which then ends with the "
            + "connection")
    void expiryZeroEndsWithConnection() {
        RawMqttClient c = connected(connect5("zero", propU32(0x11, 300)));
        subscribe(c, 1, "zero/t", 1);
        c.disconnect();
        await().atMost(PROMPTLY).until(() -> broker.broker().stats().connections() == 0);
        RawMqttClient back = connected(RawMqttClient.connectPacket("zero").cleanSession(false).v5());
        assertThat(back.lastConnAck().sessionPresent()).isTrue();
        back.disconnect();
        await("session ended").atMost(PROMPTLY).until(() -> !sessionExists("zero"));
        RawMqttClient again = connected(resume("zero", 300));
        assertThat(again.lastConnAck().sessionPresent()).isFalse();
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-4] Clean Start 1 discards the existing session")
    void cleanStartDiscards() {
        RawMqttClient c = connected(connect5("fresh", propU32(0x11, 300)));
        subscribe(c, 1, "fresh/t", 1);
        c.disconnect();
        RawMqttClient back = connected(connect5("fresh", propU32(0x11, 300)));
        assertThat(back.lastConnAck().sessionPresent()).isFalse();
        RawMqttClient pub = connected("fresh-pub");
        pub.send(publish5("fresh/t", utf8("x"), 1, false, 1, props()));
        assertThat(pub.expect(PUBACK, PROMPTLY).reasonCode()).isEqualTo(0x10);
    }

    @Test
    @DisplayName("section 3.14.2.2.2: DISCONNECT may not set a Session Expiry Interval when CONNECT had 0: DISCONNECT "
            + "0x82, and the will is published")
    void disconnectCannotRaiseExpiryFromZero() {
        RawMqttClient watcher = connected("w-watch");
        subscribe(watcher, 1, "wills/zero", 0);
        RawMqttClient c = connected(connect5("raise").will("wills/zero", utf8("gone"), 0, false));
        c.send(disconnect5(0, props(propU32(0x11, 100))));
        assertThat(awaitDisconnect(c).reasonCode()).isEqualTo(0x82);
        assertThat(text(watcher.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("gone");
    }

    @Test
    @DisplayName("DISCONNECT may lower the Session Expiry Interval to 0: the session ends")
    void disconnectEndsSession() {
        RawMqttClient c = connected(connect5("lower", propU32(0x11, 300)));
        subscribe(c, 1, "lower/t", 1);
        c.send(disconnect5(0, props(propU32(0x11, 0))));
        c.awaitClosed(PROMPTLY);
        await("session ended").atMost(PROMPTLY).until(() -> !sessionExists("lower"));
    }

    @Test
    @DisplayName("[MQTT5-3.14.4-3] DISCONNECT 0x04 publishes the will; DISCONNECT 0x00 does not")
    void disconnectWithWill() {
        RawMqttClient watcher = connected("w-watch-2");
        subscribe(watcher, 1, "wills/#", 0);
        RawMqttClient polite = connected(connect5("polite").will("wills/polite", utf8("bye"), 0, false));
        polite.send(disconnect5(0, props()));
        polite.awaitClosed(PROMPTLY);
        RawMqttClient loud = connected(connect5("loud").will("wills/loud", utf8("farewell"), 0, false));
        loud.send(disconnect5(0x04, props()));
        Packet got = watcher.expect(PUBLISH, PROMPTLY);
        assertThat(got.topic()).isEqualTo("wills/loud");
        watcher.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-9] a will with a delay is not published when the session is resumed in time")
    void willDelayResumed() {
        RawMqttClient watcher = connected("w-watch-3");
        subscribe(watcher, 1, "wills/delayed", 0);
        RawMqttClient c = connected(connect5("delayed", propU32(0x11, 300))
                .will("wills/delayed", utf8("late"), 0, false).willProperties(propU32(0x18, 60)));
        c.abort();
        await().atMost(PROMPTLY).until(() -> broker.broker().stats().connections() == 1);
        RawMqttClient back = connected(resume("delayed", 300));
        assertThat(back.lastConnAck().sessionPresent()).isTrue();
        watcher.assertNoPacket(QUIET);
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-9] a will with a delay is published once the delay has passed")
    void willDelayPassed() {
        RawMqttClient watcher = connected("w-watch-4");
        subscribe(watcher, 1, "wills/after", 0);
        RawMqttClient c = connected(connect5("after", propU32(0x11, 300))
                .will("wills/after", utf8("now"), 0, false).willProperties(propU32(0x18, 1)));
        c.abort();
        watcher.assertNoPacket(QUIET); // not at once
        assertThat(text(watcher.expect(PUBLISH, Duration.ofSeconds(4)).payload5())).isEqualTo("now");
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-9] the will is published when the session ends, if that comes before the delay")
    void willAtSessionEnd() {
        RawMqttClient watcher = connected("w-watch-5");
        subscribe(watcher, 1, "wills/end", 0);
        RawMqttClient c = connected(connect5("ending")
                .will("wills/end", utf8("ended"), 0, false).willProperties(propU32(0x18, 600)));
        c.abort();
        assertThat(text(watcher.expect(PUBLISH, PROMPTLY).payload5())).isEqualTo("ended");
    }
}
