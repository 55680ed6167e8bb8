package dev.stratus.ingress.mqtt5;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import dev.stratus.ingress.config.Features;
import dev.stratus.ingress.transport.Listener;
import org.junit.jupiter.api.DisplayName;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.stratus.ingress.support.Mqtt5Bytes.text;
import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PUBLISH with MQTT 5 properties as the HiveMQ client sends and receives it: properties forwarded, 3.1.1 and 5
 * clients mixed, PUBACK reason codes, topic aliases, the client's Maximum Packet Size and Receive Maximum, and
 * all of it over WebSocket.
 */
class Mqtt5HiveMqPublishIT extends Mqtt5ClientTestBase {

    /** A QoS 1 message with every forwarded property, user properties repeated and out of alphabetical order. */
    private static Mqtt5PublishResult publishWithProperties(Mqtt5BlockingClient c, String topic) {
        return publishWithProperties(c, topic, false);
    }

    /** The same, retained or not. */
    private static Mqtt5PublishResult publishWithProperties(Mqtt5BlockingClient c, String topic, boolean retain) {
        return c.publishWith().topic(topic).payload(utf8("{\"t\":21.5}")).qos(MqttQos.AT_LEAST_ONCE).retain(retain)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .contentType("application/json")
                .responseTopic("replies/to/me")
                .correlationData(new byte[] {0, 1, 2, (byte) 0xFF})
                .messageExpiryInterval(120)
                .userProperties().add("z", "1").add("a", "2").add("z", "3").applyUserProperties()
                .send();
    }

    private static void assertAllProperties(Mqtt5Publish p) {
        assertThat(Inbox5.text(p)).isEqualTo("{\"t\":21.5}");
        assertThat(p.getPayloadFormatIndicator()).hasValue(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(p.getContentType()).hasValueSatisfying(v -> assertThat(v.toString()).isEqualTo("application/json"));
        assertThat(p.getResponseTopic()).hasValueSatisfying(v -> assertThat(v.toString()).isEqualTo("replies/to/me"));
        assertThat(p.getCorrelationData()).hasValueSatisfying(
                v -> assertThat(bytes(v)).containsExactly(0, 1, 2, 0xFF));
        // the interval left: what was sent minus the time the message waited, never more [MQTT5-3.3.2-6]
        assertThat(p.getMessageExpiryInterval()).isPresent();
        assertThat(p.getMessageExpiryInterval().getAsLong()).isBetween(115L, 120L);
        assertThat(p.getUserProperties().asList()).extracting(u -> u.getName() + "=" + u.getValue())
                .containsExactly("z=1", "a=2", "z=3");
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-4] [MQTT5-3.3.2-15] [MQTT5-3.3.2-16] [MQTT5-3.3.2-17] [MQTT5-3.3.2-18] "
            + "[MQTT5-3.3.2-20] [MQTT5-3.3.2-6] between two MQTT 5 clients every property arrives unaltered, user "
            + "properties in order, the expiry as the interval left")
    void propertiesForwarded() throws Exception {
        Mqtt5BlockingClient sub = connected("props-sub");
        Inbox5 inbox = Inbox5.of(sub);
        subscribe(sub, "props/t", 1);
        Mqtt5BlockingClient pub = connected("props-pub");

        publishWithProperties(pub, "props/t");

        Mqtt5Publish got = inbox.next();
        assertThat(Inbox5.describe(got)).isEqualTo("props/t|{\"t\":21.5}|q1");
        assertAllProperties(got);
    }

    @Test
    @DisplayName("a message from an MQTT 3.1.1 client reaches an MQTT 5 client without any property")
    void mqtt3PublisherToMqtt5Subscriber() throws Exception {
        Mqtt5BlockingClient sub = connected("v3v5-sub");
        Inbox5 inbox = Inbox5.of(sub);
        subscribe(sub, "mixed/#", 1);
        Mqtt3BlockingClient pub = MqttClient.builder().useMqttVersion3().identifier("v3-pub")
                .serverHost("127.0.0.1").serverPort(broker.tcpPort()).buildBlocking();
        pub.connect();
        try {
            pub.publishWith().topic("mixed/a").payload(utf8("from v3")).qos(MqttQos.AT_LEAST_ONCE).send();

            Mqtt5Publish got = inbox.next();
            assertThat(Inbox5.describe(got)).isEqualTo("mixed/a|from v3|q1");
            assertThat(got.getUserProperties().asList()).isEmpty();
            assertThat(got.getContentType()).isEmpty();
            assertThat(got.getResponseTopic()).isEmpty();
            assertThat(got.getCorrelationData()).isEmpty();
            assertThat(got.getPayloadFormatIndicator()).isEmpty();
            assertThat(got.getMessageExpiryInterval()).isEmpty();
        } finally {
            pub.disconnect();
        }
    }

    @Test
    @DisplayName("a message with MQTT 5 properties reaches an MQTT 3.1.1 client (HiveMQ) as just its topic and "
            + "payload, and an MQTT 5 client next to it with its properties")
    void mqtt5PublisherToMqtt3Subscriber() throws Exception {
        Mqtt3BlockingClient v3 = MqttClient.builder().useMqttVersion3().identifier("v5v3-sub")
                .serverHost("127.0.0.1").serverPort(broker.tcpPort()).buildBlocking();
        v3.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes v3Inbox = v3.publishes(MqttGlobalPublishFilter.ALL)) {
            v3.subscribeWith().topicFilter("mixed/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient v5 = connected("v5v3-v5sub");
            Inbox5 v5Inbox = Inbox5.of(v5);
            subscribe(v5, "mixed/#", 1);
            Mqtt5BlockingClient pub = connected("v5-pub");

            publishWithProperties(pub, "mixed/b");

            Mqtt3Publish got = v3Inbox.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(got.getTopic().toString()).isEqualTo("mixed/b");
            assertThat(text(got.getPayloadAsBytes())).isEqualTo("{\"t\":21.5}");
            assertThat(got.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            assertAllProperties(v5Inbox.next());
        } finally {
            v3.disconnect();
        }
    }

    @Test
    @DisplayName("section 3.4.2.1, section 3.5.2.1: PUBACK 0x10 (no matching subscribers) and 0x87 (not "
            + "authorized) reach the library, PUBREC 0x10 too; a matched message is acknowledged with 0x00")
    void pubAckReasonCodes() {
        Mqtt5BlockingClient sub = connected("ack-sub");
        Inbox5.of(sub);
        subscribe(sub, "ack/matched", 1);
        Mqtt5BlockingClient pub = connected("ack-pub");

        Mqtt5PublishResult matched = pub.publishWith().topic("ack/matched").payload(utf8("x"))
                .qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5PublishResult nobody = pub.publishWith().topic("ack/nobody").payload(utf8("x"))
                .qos(MqttQos.AT_LEAST_ONCE).send();

        assertThat(pubAckReason(matched)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(matched.getError()).isEmpty();
        assertThat(pubAckReason(nobody)).isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(nobody.getError()).isEmpty();
        Mqtt5PublishResult nobody2 = pub.publishWith().topic("ack/nobody").payload(utf8("x"))
                .qos(MqttQos.EXACTLY_ONCE).send();
        assertThat(((Mqtt5PublishResult.Mqtt5Qos2Result) nobody2).getPubRec().getReasonCode())
                .isEqualTo(Mqtt5PubRecReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(nobody2.getError()).isEmpty();
        // an error code is an exception for the blocking API
        assertThatThrownBy(() -> pub.publishWith().topic("forbidden/x").payload(utf8("x"))
                .qos(MqttQos.AT_LEAST_ONCE).send())
                .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(
                        e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
        assertThat(pub.getState().isConnected()).isTrue();
    }

    private static Mqtt5PubAckReasonCode pubAckReason(Mqtt5PublishResult r) {
        assertThat(r).isInstanceOf(Mqtt5PublishResult.Mqtt5Qos1Result.class);
        return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-26] [MQTT5-3.3.2-12] topic aliases both ways: a subscriber that allows 3 gets 60 "
            + "messages on 6 topics, each on its own topic, in order, from a publisher that maps its topics to "
            + "aliases (the HiveMQ client does so by itself)")
    void topicAliases() throws Exception {
        Mqtt5BlockingClient sub = client("alias-sub");
        Inbox5 inbox = Inbox5.of(sub);
        sub.connectWith().cleanStart(true).restrictions().topicAliasMaximum(3).applyRestrictions().send();
        subscribe(sub, "alias/#", 1);
        Mqtt5BlockingClient pub = client("alias-pub");
        pub.connectWith().cleanStart(true).restrictions().sendTopicAliasMaximum(3).applyRestrictions().send();

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String topic = "alias/topic-" + (i % 6);
            pub.publishWith().topic(topic).payload(utf8("m" + i)).qos(qos(i % 2)).send();
            sent.add(topic + "|m" + i + "|q" + (i % 2));
        }
        publish(pub, "alias/end", "end", 1);

        assertThat(inbox.until("alias/end")).containsExactlyElementsOf(sent);
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-24] [MQTT5-3.1.2-25] a client with a small Maximum Packet Size never receives a "
            + "larger message and goes on receiving the small ones; a client without the limit gets both")
    void clientMaximumPacketSize() throws Exception {
        Mqtt5BlockingClient small = client("mps-small");
        Inbox5 smallInbox = Inbox5.of(small);
        small.connectWith().cleanStart(true).restrictions().maximumPacketSize(256).applyRestrictions().send();
        subscribe(small, "mps/#", 1);
        Mqtt5BlockingClient big = connected("mps-big");
        Inbox5 bigInbox = Inbox5.of(big);
        subscribe(big, "mps/#", 1);
        Mqtt5BlockingClient pub = connected("mps-pub");

        String large = "x".repeat(1000);
        publish(pub, "mps/t", large, 1);
        publish(pub, "mps/t", "small", 1);
        publish(pub, "mps/end", "end", 1);

        assertThat(smallInbox.until("mps/end")).containsExactly("mps/t|small|q1");
        assertThat(bigInbox.until("mps/end")).containsExactly("mps/t|" + large + "|q1", "mps/t|small|q1");
        assertThat(small.getState().isConnected()).isTrue();
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("[MQTT5-3.3.4-9] a client with Receive Maximum 2 that acknowledges by hand never has more than 2 "
            + "QoS 1 or QoS 2 messages unacknowledged, and gets all 12 in order")
    void clientReceiveMaximum(int qos) throws Exception {
        Mqtt5Client sub = track(hive("rm-sub").build());
        Deque<Mqtt5Publish> unacked = new ArrayDeque<>();
        List<String> received = new ArrayList<>();
        int[] most = {0};
        sub.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> {
            synchronized (unacked) {
                unacked.add(p);
                received.add(Inbox5.text(p));
                most[0] = Math.max(most[0], unacked.size());
            }
        }, true);
        sub.toBlocking().connectWith().cleanStart(true).restrictions().receiveMaximum(2).applyRestrictions().send();
        sub.toBlocking().subscribeWith().topicFilter("rm/t").qos(qos(qos)).send();
        Mqtt5BlockingClient pub = connected("rm-pub");
        for (int i = 0; i < 12; i++) {
            publish(pub, "rm/t", "m" + i, qos);
        }

        await().until(() -> {
            synchronized (unacked) {
                return unacked.size() >= 2;
            }
        });
        for (int acked = 0; acked < 12; acked++) {
            await().until(() -> {
                synchronized (unacked) {
                    return !unacked.isEmpty();
                }
            });
            Mqtt5Publish oldest;
            synchronized (unacked) {
                assertThat(unacked.size()).as("unacknowledged").isLessThanOrEqualTo(2);
                oldest = unacked.poll();
            }
            oldest.acknowledge();
        }

        synchronized (unacked) {
            assertThat(most[0]).isEqualTo(2);
            assertThat(received).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9",
                    "m10", "m11");
        }
    }

    @Test
    @DisplayName("MQTT 5 over WebSocket: HiveMQ clients on the WS listener publish and subscribe with properties")
    void overWebSocket() throws Exception {
        Mqtt5BlockingClient sub = track(MqttClient.builder().useMqttVersion5().identifier("ws5-sub")
                .serverHost("127.0.0.1").serverPort(broker.port(Listener.WS))
                .webSocketConfig().serverPath("mqtt").applyWebSocketConfig().buildBlocking());
        Inbox5 inbox = Inbox5.of(sub);
        sub.connectWith().cleanStart(true).restrictions().topicAliasMaximum(2).applyRestrictions().send();
        subscribe(sub, "ws5/#", 1);
        Mqtt5BlockingClient pub = track(MqttClient.builder().useMqttVersion5().identifier("ws5-pub")
                .serverHost("127.0.0.1").serverPort(broker.port(Listener.WS))
                .webSocketConfig().serverPath("mqtt").applyWebSocketConfig().buildBlocking());
        pub.connectWith().cleanStart(true).send();

        Mqtt5PublishResult result = publishWithProperties(pub, "ws5/t");
        publishWithProperties(pub, "ws5/t");

        assertThat(pubAckReason(result)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertAllProperties(inbox.next());
        assertAllProperties(inbox.next());
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-29] a reason string comes with PUBACK 0x87 by default, and not to a client that "
            + "set Request Problem Information 0")
    void requestProblemInformation() {
        Mqtt5BlockingClient told = connected("problems-told");
        Mqtt5BlockingClient quiet = client("problems-quiet");
        quiet.connectWith().cleanStart(true).restrictions().requestProblemInformation(false).applyRestrictions().send();

        assertThatThrownBy(() -> publish(told, "forbidden/x", "x", 1)).isInstanceOfSatisfying(
                Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage().getReasonString()).isPresent());
        assertThatThrownBy(() -> publish(quiet, "forbidden/x", "x", 1)).isInstanceOfSatisfying(
                Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage().getReasonString()).isEmpty());
    }

    @Test
    @DisplayName("[MQTT5-3.3.4-7] a library that honours the server's Receive Maximum of 2 can publish 40 QoS 1 and "
            + "QoS 2 messages at once without being disconnected, and every one is delivered")
    void serverReceiveMaximumHonoured() throws Exception {
        restartWith(config().withFeatures(Features.defaults().withReceiveMaximum(2)));
        Mqtt5BlockingClient sub = connected("srm-sub");
        Inbox5 inbox = Inbox5.of(sub);
        subscribe(sub, "srm/#", 2);
        Mqtt5BlockingClient pub = client("srm-pub");
        assertThat(pub.connectWith().cleanStart(true).send().getRestrictions().getReceiveMaximum()).isEqualTo(2);

        List<CompletableFuture<Mqtt5PublishResult>> results = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            results.add(pub.toAsync().publishWith().topic("srm/t").payload(utf8("m" + i)).qos(qos(1 + i % 2)).send());
            sent.add("srm/t|m" + i + "|q" + (1 + i % 2));
        }
        for (CompletableFuture<Mqtt5PublishResult> r : results) {
            assertThat(r.get(5, TimeUnit.SECONDS).getError()).isEmpty();
        }
        publish(pub, "srm/end", "end", 1);

        assertThat(inbox.until("srm/end")).containsExactlyElementsOf(sent);
        assertThat(pub.getState().isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-5] [MQTT5-3.3.2-6] a message queued for an offline session expires there; one that "
            + "has not is delivered on resume with the interval it has left")
    void messageExpiryWhileQueued() throws Exception {
        Mqtt5BlockingClient sub = client("expiring");
        sub.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
        subscribe(sub, "expiry/#", 1);
        sub.disconnect();
        Mqtt5BlockingClient pub = connected("expiry-pub");
        pub.publishWith().topic("expiry/t").payload(utf8("short")).qos(MqttQos.AT_LEAST_ONCE)
                .messageExpiryInterval(10).send();
        pub.publishWith().topic("expiry/t").payload(utf8("long")).qos(MqttQos.AT_LEAST_ONCE)
                .messageExpiryInterval(100).send();

        clock.addAndGet(30_000);
        Mqtt5BlockingClient back = client("expiring");
        Inbox5 inbox = Inbox5.of(back);
        back.connectWith().cleanStart(false).sessionExpiryInterval(300).send();
        publish(pub, "expiry/end", "end", 1);

        Mqtt5Publish got = inbox.next();
        assertThat(Inbox5.describe(got)).isEqualTo("expiry/t|long|q1");
        assertThat(got.getMessageExpiryInterval()).hasValue(70);
        assertThat(inbox.until("expiry/end")).isEmpty();
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-17] [MQTT5-3.3.2-18] [MQTT5-3.3.2-20] a retained message keeps its properties: a later "
            + "subscriber gets them with it")
    void retainedMessageKeepsProperties() throws Exception {
        Mqtt5BlockingClient pub = connected("ret-props-pub");
        publishWithProperties(pub, "retprops/t", true);

        Mqtt5BlockingClient sub = connected("ret-props-sub");
        Inbox5 inbox = Inbox5.of(sub);
        subscribe(sub, "retprops/#", 1);

        Mqtt5Publish got = inbox.next();
        assertThat(Inbox5.describe(got)).isEqualTo("retprops/t|{\"t\":21.5}|q1|retained");
        assertAllProperties(got);
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-11] [MQTT5-3.2.2-14] the HiveMQ library does not hold its application to the "
            + "server's Maximum QoS 1 and Retain Available 0: a PUBLISH above them is refused, and the library is "
            + "told why with DISCONNECT 0x9B and 0x9A; QoS 1 is delivered")
    void publishBeyondServerRestrictions() throws Exception {
        restartWith(config().withFeatures(Features.defaults().withMaximumQos(1).withRetainAvailable(false)));
        Mqtt5BlockingClient sub = connected("lim-sub");
        Inbox5 inbox = Inbox5.of(sub);
        subscribe(sub, "lim/#", 2);

        CompletableFuture<MqttClientDisconnectedContext> qos2 = new CompletableFuture<>();
        Mqtt5BlockingClient pub2 = track(hive("lim-qos2").addDisconnectedListener(qos2::complete).buildBlocking());
        pub2.connect();
        publish(pub2, "lim/q1", "q1", 1);
        assertThatThrownBy(() -> publish(pub2, "lim/q2", "q2", 2));
        CompletableFuture<MqttClientDisconnectedContext> retained = new CompletableFuture<>();
        Mqtt5BlockingClient pubR = track(hive("lim-retain").addDisconnectedListener(retained::complete).buildBlocking());
        pubR.connect();
        assertThatThrownBy(() -> pubR.publishWith().topic("lim/r").payload(utf8("r")).qos(MqttQos.AT_LEAST_ONCE)
                .retain(true).send());

        assertThat(serverReason(qos2)).isEqualTo(Mqtt5DisconnectReasonCode.QOS_NOT_SUPPORTED);
        assertThat(serverReason(retained)).isEqualTo(Mqtt5DisconnectReasonCode.RETAIN_NOT_SUPPORTED);
        publish(connected("lim-marker"), "lim/end", "end", 1);
        assertThat(inbox.until("lim/end")).containsExactly("lim/q1|q1|q1");
    }

    private static Mqtt5DisconnectReasonCode serverReason(CompletableFuture<MqttClientDisconnectedContext> f)
            throws Exception {
        MqttClientDisconnectedContext ctx = f.get(5, TimeUnit.SECONDS);
        assertThat(ctx.getSource()).isEqualTo(MqttDisconnectSource.SERVER);
        assertThat(ctx.getCause()).isInstanceOf(Mqtt5DisconnectException.class);
        return ((Mqtt5DisconnectException) ctx.getCause()).getMqttMessage().getReasonCode();
    }
}
