package dev.stratus.ingress.hivemq;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Clean and persistent sessions, offline queueing and session takeover, with the HiveMQ client. */
class HiveMqSessionIT extends HiveMqTestBase {

    private Mqtt3ConnAck connect(Mqtt3BlockingClient c, boolean cleanSession) {
        return c.connectWith().cleanSession(cleanSession).send();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-2] [MQTT-3.2.2-3] persistent session: session present only from the second connection on")
    void sessionPresentOnlyWhenAPersistentSessionIsResumed() {
        Mqtt3BlockingClient first = client("persist-1");
        assertThat(connect(first, false).isSessionPresent()).isFalse();
        first.disconnect();

        Mqtt3BlockingClient second = client("persist-1");
        assertThat(connect(second, false).isSessionPresent()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-1] clean session: session present is 0, also when a persistent session existed")
    void cleanSessionNeverReportsASession() {
        Mqtt3BlockingClient c = client("clean-1");
        assertThat(connect(c, true).isSessionPresent()).isFalse();
        c.disconnect();

        Mqtt3BlockingClient persistent = client("clean-2");
        connect(persistent, false);
        persistent.disconnect();
        Mqtt3BlockingClient clean = client("clean-2");
        assertThat(connect(clean, true).isSessionPresent()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-6] a clean session discards the persistent one: no session, no subscriptions, no queue")
    void cleanSessionDiscardsThePreviousSession() throws Exception {
        Mqtt3BlockingClient sub = client("discard");
        connect(sub, false);
        subscribe(sub, "discard/#", 1);
        sub.disconnect();
        Mqtt3BlockingClient pub = connected("discard-pub");
        publish(pub, "discard/queued", "lost", 1);

        Mqtt3BlockingClient clean = client("discard");
        Inbox cleanInbox = Inbox.of(clean);
        assertThat(connect(clean, true).isSessionPresent()).isFalse();
        subscribe(clean, "marker", 0);
        publish(pub, "discard/live", "not subscribed", 1);
        publish(pub, "marker", "end", 0);
        assertThat(cleanInbox.until("marker")).as("neither the queued message nor the old subscription").isEmpty();
        clean.disconnect();

        Mqtt3BlockingClient again = client("discard");
        assertThat(connect(again, false).isSessionPresent()).as("the clean session ended with its connection").isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] [MQTT-4.4.0-1] QoS 1 and 2 messages published while offline arrive on resume, in order")
    void offlineMessagesAreDeliveredInOrderOnResume() throws Exception {
        Mqtt3BlockingClient sub = client("offline-sub");
        connect(sub, false);
        subscribe(sub, "offline/#", 2);
        sub.disconnect();

        Mqtt3BlockingClient pub = connected("offline-pub");
        publish(pub, "offline/a", "1", 1);
        publish(pub, "offline/b", "2", 2);
        publish(pub, "offline/a", "3", 2);
        publish(pub, "offline/b", "4", 1);
        publish(pub, "offline/c", "5", 1);

        Mqtt3BlockingClient resumed = client("offline-sub");
        Inbox inbox = Inbox.of(resumed);
        assertThat(connect(resumed, false).isSessionPresent()).isTrue();

        assertThat(inbox.next(5)).containsExactly(
                "offline/a|1|q1", "offline/b|2|q2", "offline/a|3|q2", "offline/b|4|q1", "offline/c|5|q1");
        // the subscription survived too: live messages follow the queued ones
        publish(pub, "offline/live", "6", 1);
        assertThat(inbox.until("offline/live")).isEmpty();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-5] queued messages are delivered once: a second resume gets nothing again")
    void queuedMessagesAreNotRedeliveredAfterAcknowledgement() throws Exception {
        Mqtt3BlockingClient sub = client("once-sub");
        connect(sub, false);
        subscribe(sub, "once/#", 1);
        sub.disconnect();
        Mqtt3BlockingClient pub = connected("once-pub");
        publish(pub, "once/x", "queued", 1);

        Mqtt3BlockingClient first = client("once-sub");
        Inbox firstInbox = Inbox.of(first);
        connect(first, false);
        assertThat(firstInbox.next(1)).containsExactly("once/x|queued|q1");
        // the PUBACK of the HiveMQ client is on its way: round-trip a marker before leaving
        publish(pub, "once/marker", "m", 1);
        assertThat(firstInbox.until("once/marker")).isEmpty();
        first.disconnect();

        Mqtt3BlockingClient second = client("once-sub");
        Inbox secondInbox = Inbox.of(second);
        assertThat(connect(second, false).isSessionPresent()).isTrue();
        publish(pub, "once/marker", "m", 1);
        assertThat(secondInbox.until("once/marker")).isEmpty();
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] a second connection with the same client id takes over: the first one is disconnected")
    void sameClientIdTakesOverTheConnection() throws Exception {
        AtomicInteger firstDisconnects = new AtomicInteger();
        Mqtt3BlockingClient first = track(builder("takeover")
                .addDisconnectedListener(ctx -> firstDisconnects.incrementAndGet())
                .buildBlocking());
        connect(first, false);
        subscribe(first, "takeover/#", 1);

        Mqtt3BlockingClient second = client("takeover");
        Inbox inbox = Inbox.of(second);
        Mqtt3ConnAck ack = connect(second, false);

        await().untilAsserted(() -> assertThat(firstDisconnects).hasValue(1));
        assertThat(first.getState().isConnected()).isFalse();
        assertThat(ack.isSessionPresent()).as("the session of the first connection is resumed").isTrue();
        Mqtt3BlockingClient pub = connected("takeover-pub");
        publish(pub, "takeover/t", "to the new owner", 1);
        assertThat(inbox.next(1)).containsExactly("takeover/t|to the new owner|q1");
        assertThat(second.getState().isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] takeover with a clean session starts afresh: no session present, old subscriptions gone")
    void takeoverWithCleanSessionStartsAfresh() throws Exception {
        Mqtt3BlockingClient first = client("takeover-clean");
        connect(first, false);
        subscribe(first, "tc/#", 1);

        Mqtt3BlockingClient second = client("takeover-clean");
        Inbox inbox = Inbox.of(second);
        Mqtt3ConnAck ack = connect(second, true);
        await().until(() -> !first.getState().isConnected());

        assertThat(ack.isSessionPresent()).isFalse();
        subscribe(second, "tc-marker", 0);
        Mqtt3BlockingClient pub = connected("tc-pub");
        publish(pub, "tc/x", "old subscription", 1);
        publish(pub, "tc-marker", "end", 0);
        assertThat(inbox.until("tc-marker")).isEmpty();
    }
}
