package dev.stratus.ingress.conformance;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.stratus.ingress.support.RawMqttClient.PINGRESP;
import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.PUBCOMP;
import static dev.stratus.ingress.support.RawMqttClient.PUBREC;
import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static dev.stratus.ingress.support.RawMqttClient.pingreq;
import static dev.stratus.ingress.support.RawMqttClient.puback;
import static dev.stratus.ingress.support.RawMqttClient.publish;
import static dev.stratus.ingress.support.RawMqttClient.pubrel;
import static org.assertj.core.api.Assertions.assertThat;

/** Sessions: CleanSession processing (3.1.2, 3.1.4), storing state (4.1), message receipt (4.5), retained messages. */
class SessionConformanceIT extends ConformanceTestBase {

    @Test
    @DisplayName("[MQTT-3.1.2-7] retained messages outlive the sessions of their publishers, clean and persistent")
    void retainedMessagesOutliveSessions() {
        String topic = unique("retained-outlive/t");
        RawMqttClient clean = connected(unique("retained-clean"));
        clean.send(publish(topic + "/clean", bytes("from clean"), 1, true, false, 1));
        clean.expect(PUBACK, PROMPTLY);
        clean.disconnect();
        String persistentId = unique("retained-persistent");
        RawMqttClient persistent = persistent(persistentId);
        persistent.send(publish(topic + "/persistent", bytes("from persistent"), 1, true, false, 1));
        persistent.expect(PUBACK, PROMPTLY);
        persistent.disconnect();
        connected(persistentId).disconnect(); // CleanSession=1 discards the persistent session

        RawMqttClient late = connected(unique("retained-late"));
        late.subscribeAndAwait(1, topic + "/+", 0);
        Packet first = nextPublish(late);
        Packet second = nextPublish(late);
        assertThat(first.retain()).isTrue();
        assertThat(second.retain()).isTrue();
        assertThat(java.util.List.of(first.payloadText(), second.payloadText()))
                .containsExactlyInAnyOrder("from clean", "from persistent");
    }

    @Test
    @DisplayName("[MQTT-3.1.4-3] an accepted CONNECT does the CleanSession processing: 0 resumes the session with "
            + "its subscriptions, 1 discards it")
    void acceptedConnectProcessesCleanSession() {
        String id = unique("clean-processing");
        String topic = unique("clean-processing/t");
        RawMqttClient first = persistent(id);
        assertThat(first.lastConnAck().sessionPresent()).isFalse();
        first.subscribeAndAwait(1, topic, 1);
        first.disconnect();

        RawMqttClient resumed = persistent(id);
        assertThat(resumed.lastConnAck().sessionPresent()).isTrue();
        RawMqttClient publisher = connected(unique("clean-processing-pub"));
        publisher.send(publish(topic, "kept"));
        assertThat(nextPublish(resumed).payloadText()).as("the subscription came back").isEqualTo("kept");
        resumed.disconnect();

        RawMqttClient clean = connected(id);
        assertThat(clean.lastConnAck().sessionPresent()).isFalse();
        publisher.send(publish(topic, "dropped"));
        clean.assertNoPacket(QUIET);
        clean.disconnect();
        RawMqttClient afterClean = persistent(id);
        assertThat(afterClean.lastConnAck().sessionPresent()).as("nothing left to resume").isFalse();
        afterClean.disconnect();
        connected(id).disconnect();
    }

    @Test
    @DisplayName("[MQTT-4.1.0-1] a persistent session keeps its state across connections: subscriptions, messages "
            + "queued, sent and unacknowledged, and QoS 2 messages received and not yet released")
    void persistentSessionStateIsKept() {
        String id = unique("state");
        String topic = unique("state/t");
        RawMqttClient c = persistent(id);
        c.subscribeAndAwait(1, topic, 1);
        RawMqttClient publisher = connected(unique("state-pub"));
        publisher.send(publish(topic, bytes("unacknowledged"), 1, false, false, 1));
        publisher.expect(PUBACK, PROMPTLY);
        assertThat(nextPublish(c).payloadText()).isEqualTo("unacknowledged");
        // an inbound QoS 2 message, received but not released
        c.send(publish(unique("state/elsewhere"), bytes("q2"), 2, false, false, 42));
        c.expect(PUBREC, PROMPTLY);
        c.close();

        publisher.send(publish(topic, bytes("queued"), 1, false, false, 2));
        publisher.expect(PUBACK, PROMPTLY);

        RawMqttClient again = persistent(id);
        assertThat(again.lastConnAck().sessionPresent()).isTrue();
        Packet resent = nextPublish(again);
        assertThat(resent.payloadText()).isEqualTo("unacknowledged");
        assertThat(resent.dup()).isTrue();
        Packet queued = nextPublish(again);
        assertThat(queued.payloadText()).isEqualTo("queued");
        again.send(puback(resent.packetId()));
        again.send(puback(queued.packetId()));
        // the QoS 2 packet id 42 is still awaiting its PUBREL
        again.send(pubrel(42));
        assertThat(again.expect(PUBCOMP, PROMPTLY).packetId()).isEqualTo(42);
        // and the subscription is still there
        publisher.send(publish(topic, "live"));
        assertThat(nextPublish(again).payloadText()).isEqualTo("live");
        again.disconnect();
        connected(id).disconnect();
    }

    @Test
    @DisplayName("[MQTT-4.1.0-2] a clean session lasts as long as its connection: refused or invalid CONNECTs with "
            + "its client id do not end it; it ends with the connection")
    void cleanSessionLastsAsLongAsItsConnection() {
        String id = unique("lasting");
        String topic = unique("lasting/t");
        RawMqttClient c = connected(id);
        c.subscribeAndAwait(1, topic, 0);
        RawMqttClient refused = open();
        assertThat(refused.connect(connectPacket(id).protocolLevel(6)).connAckReturnCode()).isEqualTo(0x01);
        assertClosedWithoutAnswer(connectPacket(id).will("will/#", bytes("x"), 0, false).build());

        RawMqttClient publisher = connected(unique("lasting-pub"));
        publisher.send(publish(topic, "still here"));
        assertThat(nextPublish(c).payloadText()).isEqualTo("still here");
        c.send(pingreq());
        c.expect(PINGRESP, PROMPTLY);

        c.disconnect();
        RawMqttClient after = persistent(id);
        assertThat(after.lastConnAck().sessionPresent()).as("the clean session ended with its connection").isFalse();
        after.disconnect();
        connected(id).disconnect();
    }

    @Test
    @DisplayName("[MQTT-4.5.0-1] an accepted message goes to every session with a matching subscription: clean, "
            + "persistent online and persistent offline")
    void acceptedMessageReachesEveryMatchingSession() {
        String topic = unique("every/t");
        RawMqttClient clean = connected(unique("every-clean"));
        clean.subscribeAndAwait(1, topic, 1);
        RawMqttClient online = persistent(unique("every-online"));
        online.subscribeAndAwait(1, "+/" + topic.substring(topic.indexOf('/') + 1), 1);
        String offlineId = unique("every-offline");
        RawMqttClient offline = persistent(offlineId);
        offline.subscribeAndAwait(1, topic.substring(0, topic.indexOf('/')) + "/#", 1);
        offline.disconnect();

        RawMqttClient publisher = connected(unique("every-pub"));
        publisher.send(publish(topic, bytes("to all"), 1, false, false, 1));
        publisher.expect(PUBACK, PROMPTLY);

        assertThat(nextPublish(clean).payloadText()).isEqualTo("to all");
        assertThat(nextPublish(online).payloadText()).isEqualTo("to all");
        RawMqttClient back = persistent(offlineId);
        assertThat(nextPublish(back).payloadText()).isEqualTo("to all");
        back.disconnect();
        connected(offlineId).disconnect();
    }

    @Test
    @DisplayName("[MQTT-3.1.3-2] the client id identifies the session: the same id resumes it, another id (even one "
            + "differing only in case) gets none of it")
    void clientIdIdentifiesTheSession() {
        String id = unique("Owner");
        String topic = unique("owner/t");
        RawMqttClient owner = persistent(id);
        owner.subscribeAndAwait(1, topic, 1);
        owner.disconnect();
        RawMqttClient publisher = connected(unique("owner-pub"));
        publisher.send(publish(topic, bytes("for the owner"), 1, false, false, 1));
        publisher.expect(PUBACK, PROMPTLY);

        RawMqttClient stranger = persistent(id.toLowerCase(java.util.Locale.ROOT));
        assertThat(stranger.lastConnAck().sessionPresent()).isFalse();
        stranger.assertNoPacket(QUIET);
        stranger.disconnect();
        connected(id.toLowerCase(java.util.Locale.ROOT)).disconnect();

        RawMqttClient back = persistent(id);
        assertThat(back.lastConnAck().sessionPresent()).isTrue();
        Packet queued = nextPublish(back);
        assertThat(queued.payloadText()).isEqualTo("for the owner");
        back.send(puback(queued.packetId()));
        back.disconnect();
        connected(id).disconnect();
    }
}
