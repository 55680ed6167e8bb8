package dev.stratus.ingress.hivemq;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Retained messages and the Will Message, with the HiveMQ client (and a bare socket that dies without DISCONNECT). */
class HiveMqRetainedWillIT extends HiveMqTestBase {

    // ---- retained ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8] a retained message is sent to a new subscriber with RETAIN=1")
    void retainedMessageIsDeliveredOnSubscribe() throws Exception {
        Mqtt3BlockingClient pub = connected("ret-pub");
        publish(pub, "ret/a", "v1", 1, true);

        Mqtt3BlockingClient sub = connected("ret-sub");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "ret/#", 2);

        assertThat(inbox.next(1)).containsExactly("ret/a|v1|q1|retained");
    }

    @Test
    @DisplayName("[MQTT-3.3.1-9] a retained PUBLISH is forwarded to existing subscribers with RETAIN=0")
    void retainedPublishIsForwardedWithoutRetainFlag() throws Exception {
        Mqtt3BlockingClient sub = connected("fwd-sub");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "fwd/#", 1);
        Mqtt3BlockingClient pub = connected("fwd-pub");

        publish(pub, "fwd/a", "live", 1, true);

        assertThat(inbox.next(1)).containsExactly("fwd/a|live|q1");
    }

    @Test
    @DisplayName("[MQTT-3.3.1-5] a new retained message replaces the previous one of the topic")
    void newRetainedMessageReplacesTheOld() throws Exception {
        Mqtt3BlockingClient pub = connected("replace-pub");
        publish(pub, "rep/a", "old", 1, true);
        publish(pub, "rep/a", "new", 2, true);
        publish(pub, "rep/b", "other", 0, true);

        Mqtt3BlockingClient sub = connected("replace-sub");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "rep/a", 2);
        subscribe(sub, "rep-end", 0);
        publish(pub, "rep-end", "end", 0);

        assertThat(inbox.until("rep-end")).containsExactly("rep/a|new|q2|retained");
    }

    @Test
    @DisplayName("[MQTT-3.3.1-7] a retained QoS 0 message replaces a retained QoS 1 message and is itself retained")
    void retainedQos0MessageIsStored() throws Exception {
        Mqtt3BlockingClient pub = connected("q0-pub");
        publish(pub, "r0/a", "q1 first", 1, true);
        publish(pub, "r0/a", "q0 second", 0, true);
        // a QoS 1 round trip on the same connection: the QoS 0 message ahead of it has been handled
        publish(pub, "r0/sync", "sync", 1);

        Mqtt3BlockingClient sub = connected("q0-sub");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "r0/a", 1);

        assertThat(inbox.next(1)).containsExactly("r0/a|q0 second|q0|retained");
    }

    @Test
    @DisplayName("[MQTT-3.3.1-10] [MQTT-3.3.1-11] an empty retained message deletes the retained one and is not stored")
    void emptyRetainedMessageDeletesTheRetainedOne() throws Exception {
        Mqtt3BlockingClient pub = connected("del-pub");
        publish(pub, "del/a", "doomed", 1, true);
        publish(pub, "del/b", "kept", 1, true);
        Mqtt3BlockingClient existing = connected("del-existing");
        Inbox existingInbox = Inbox.of(existing);
        subscribe(existing, "del-live/#", 1);
        publish(pub, "del/a", "", 1, true);

        Mqtt3BlockingClient sub = connected("del-sub");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "del/#", 1);
        subscribe(sub, "del-end", 0);
        publish(pub, "del-end", "end", 0);

        assertThat(inbox.until("del-end")).containsExactly("del/b|kept|q1|retained");
        // the deleting message itself is an ordinary message for existing subscribers [MQTT-3.3.1-9]
        publish(pub, "del-live/x", "", 1, true);
        assertThat(existingInbox.next(1)).containsExactly("del-live/x||q1");
    }

    @Test
    @DisplayName("[MQTT-3.3.1-8] retained messages on subscribe are downgraded to the granted QoS and keep RETAIN=1")
    void retainedMessagesAreDowngradedOnSubscribe() throws Exception {
        Mqtt3BlockingClient pub = connected("down-pub");
        publish(pub, "down/a", "two", 2, true);
        publish(pub, "down/b", "one", 1, true);

        Mqtt3BlockingClient sub = connected("down-sub");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "down/+", 0);

        assertThat(inbox.next(2)).containsExactlyInAnyOrder("down/a|two|q0|retained", "down/b|one|q0|retained");
    }

    @Test
    @DisplayName("[MQTT-3.8.4-3] re-subscribing to the same filter sends the retained messages again")
    void resubscribingResendsRetainedMessages() throws Exception {
        Mqtt3BlockingClient pub = connected("again-pub");
        publish(pub, "again/a", "kept", 1, true);
        Mqtt3BlockingClient sub = connected("again-sub");
        Inbox inbox = Inbox.of(sub);

        subscribe(sub, "again/#", 1);
        assertThat(inbox.next(1)).containsExactly("again/a|kept|q1|retained");
        subscribe(sub, "again/#", 2);
        assertThat(inbox.next(1)).containsExactly("again/a|kept|q1|retained");
    }

    // ---- will -------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.1.2-8] the will is published when the connection closes without DISCONNECT")
    void willIsPublishedWhenTheConnectionDrops() throws Exception {
        Mqtt3BlockingClient sub = connected("will-watcher");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "will/#", 2);

        try (Socket dying = rawConnectWithWill("dying", "will/dying", "gone", 1, false)) {
            dying.getOutputStream().flush();
        } // closed without DISCONNECT

        assertThat(inbox.next(1)).containsExactly("will/dying|gone|q1");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] the will is published when the connection is reset")
    void willIsPublishedWhenTheConnectionIsReset() throws Exception {
        Mqtt3BlockingClient sub = connected("reset-watcher");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "will/#", 0);

        Socket dying = rawConnectWithWill("reset", "will/reset", "rst", 2, false);
        dying.setSoLinger(true, 0);
        dying.close();

        assertThat(inbox.next(1)).containsExactly("will/reset|rst|q0");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-17] a will with Will Retain=1 is published as a retained message")
    void retainedWillIsRetained() throws Exception {
        Mqtt3BlockingClient watcher = connected("status-watcher");
        Inbox live = Inbox.of(watcher);
        subscribe(watcher, "status/#", 1);
        try (Socket dying = rawConnectWithWill("status", "status/device", "offline", 1, true)) {
            dying.getOutputStream().flush();
        }
        // forwarded live with RETAIN=0 [MQTT-3.3.1-9], and stored before it was forwarded
        assertThat(live.next(1)).containsExactly("status/device|offline|q1");

        Mqtt3BlockingClient sub = connected("status-reader");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "status/#", 1);

        assertThat(inbox.next(1)).containsExactly("status/device|offline|q1|retained");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-10] [MQTT-3.14.4-3] the will is discarded after DISCONNECT")
    void willIsNotPublishedAfterDisconnect() throws Exception {
        Mqtt3BlockingClient sub = connected("polite-watcher");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "will/#", 1);
        Mqtt3BlockingClient polite = client("polite");
        polite.connectWith().cleanSession(true)
                .willPublish().topic("will/polite").payload("should not appear".getBytes(StandardCharsets.UTF_8))
                .qos(qos(1)).applyWillPublish()
                .send();

        polite.disconnect();
        // the broker has finished with the connection once its clean session is gone
        await().until(() -> broker.broker().sessions().all().stream().noneMatch(s -> s.clientId().equals("polite")));
        publish(sub, "will/end", "end", 1);

        assertThat(inbox.until("will/end")).isEmpty();
    }

    /** CONNECT with a will over a bare socket, CleanSession=1, keep alive 60 s; returns once CONNACK 0x00 arrived. */
    private Socket rawConnectWithWill(String clientId, String willTopic, String willPayload, int willQos,
                                      boolean willRetain) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT".getBytes(StandardCharsets.UTF_8));
        body.write(4); // protocol level 3.1.1
        body.write(0x02 | 0x04 | (willQos << 3) | (willRetain ? 0x20 : 0)); // clean session, will, will QoS, retain
        body.write(0);
        body.write(60);
        writeString(body, clientId.getBytes(StandardCharsets.UTF_8));
        writeString(body, willTopic.getBytes(StandardCharsets.UTF_8));
        writeString(body, willPayload.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        int len = body.size();
        do {
            int b = len % 128;
            len /= 128;
            packet.write(len > 0 ? b | 0x80 : b);
        } while (len > 0);
        body.writeTo(packet);

        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", broker.tcpPort()), 5000);
        socket.setSoTimeout(5000);
        socket.getOutputStream().write(packet.toByteArray());
        InputStream in = socket.getInputStream();
        assertThat(in.readNBytes(4)).as("CONNACK accepted").containsExactly(0x20, 0x02, 0x00, 0x00);
        return socket;
    }

    private static void writeString(ByteArrayOutputStream out, byte[] s) {
        out.write(s.length >> 8);
        out.write(s.length & 0xFF);
        out.writeBytes(s);
    }
}
