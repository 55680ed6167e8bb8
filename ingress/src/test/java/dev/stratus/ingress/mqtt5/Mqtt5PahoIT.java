package dev.stratus.ingress.mqtt5;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.stratus.ingress.config.Features;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.stratus.ingress.support.Mqtt5Bytes.text;
import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Eclipse Paho v5 against the broker: request/response with Response Topic and Correlation Data, Subscription
 * Identifiers (also on what a resumed session brings back), topic aliases set by the application, reason codes,
 * wills on abrupt close and will delay, and Paho v3 and v5 clients mixed.
 * <p>
 * What Paho 1.2.5 cannot be used for: it refuses invalid filters, shared subscriptions and wildcards the server
 * switched off before sending them (so no SUBACK 0x8F, 0x9E or 0xA2 here; the HiveMQ tests have 0x9E and 0xA2);
 * it takes a SUBACK 0x97, 0xA1 or 0xA2 for an invalid return code and drops the connection (so no 0xA1 test:
 * no library both sends a Subscription Identifier the server switched off and accepts the answer); it does not
 * resolve the topic aliases it receives (eclipse-paho/paho.mqtt.java#866), so a Paho client must not allow any;
 * and it does not expose the DUP flag of what it receives.
 */
class Mqtt5PahoIT extends Mqtt5ClientTestBase {

    /** A connected Paho v5 client whose messages go to {@code inbox}. */
    private MqttAsyncClient connectedPaho(String id, PahoInbox inbox, MqttConnectionOptions options)
            throws MqttException {
        MqttAsyncClient c = paho(id);
        c.setCallback(inbox);
        c.connect(options).waitForCompletion(PAHO_WAIT_MS);
        return c;
    }

    private MqttAsyncClient connectedPaho(String id, PahoInbox inbox) throws MqttException {
        return connectedPaho(id, inbox, pahoOptions());
    }

    private static IMqttToken subscribe(MqttAsyncClient c, MqttSubscription sub, Integer subscriptionId)
            throws MqttException {
        MqttProperties props = new MqttProperties();
        if (subscriptionId != null) {
            props.setSubscriptionIdentifier(subscriptionId);
        }
        IMqttToken token = c.subscribe(new MqttSubscription[] {sub}, null, null, props);
        token.waitForCompletion(PAHO_WAIT_MS);
        return token;
    }

    private static MqttSubscription sub(String filter, int qos) {
        return new MqttSubscription(filter, qos);
    }

    private static MqttMessage message(String payload, int qos) {
        MqttMessage m = new MqttMessage(utf8(payload));
        m.setQos(qos);
        return m;
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-15] [MQTT5-3.3.2-16] request/response: a responder answers on the Response Topic with "
            + "the request's Correlation Data, and the requester matches each answer to its request")
    void requestResponse() throws Exception {
        PahoInbox requesterInbox = new PahoInbox();
        MqttAsyncClient requester = connectedPaho("requester", requesterInbox);
        subscribe(requester, sub("svc/replies/requester", 1), null);
        MqttAsyncClient responder = paho("responder");
        responder.setCallback(new PahoInbox() {
            @Override
            public void messageArrived(String topic, MqttMessage request) throws Exception {
                MqttMessage reply = message("re:" + new String(request.getPayload()), 1);
                MqttProperties props = new MqttProperties();
                props.setCorrelationData(request.getProperties().getCorrelationData());
                reply.setProperties(props);
                responder.publish(request.getProperties().getResponseTopic(), reply);
            }
        });
        responder.connect(pahoOptions()).waitForCompletion(PAHO_WAIT_MS);
        subscribe(responder, sub("svc/requests", 1), null);

        for (int i = 0; i < 3; i++) {
            MqttMessage request = message("q" + i, 1);
            MqttProperties props = new MqttProperties();
            props.setResponseTopic("svc/replies/requester");
            props.setCorrelationData(new byte[] {(byte) i, (byte) 0xCA, (byte) 0xFE});
            request.setProperties(props);
            requester.publish("svc/requests", request).waitForCompletion(PAHO_WAIT_MS);
        }

        for (int i = 0; i < 3; i++) {
            PahoInbox.Received reply = requesterInbox.next();
            assertThat(reply.topic()).isEqualTo("svc/replies/requester");
            byte[] correlation = reply.message().getProperties().getCorrelationData();
            assertThat(correlation).containsExactly(i, 0xCA, 0xFE);
            assertThat(reply.text()).isEqualTo("re:q" + correlation[0]);
        }
    }

    @Test
    @DisplayName("[MQTT5-3.3.4-3] [MQTT5-3.3.4-4] the one copy a client gets carries the Subscription Identifiers of "
            + "every matching subscription; a message matching one carries just its identifier")
    void subscriptionIdentifiers() throws Exception {
        PahoInbox inbox = new PahoInbox();
        MqttAsyncClient c = connectedPaho("sid", inbox);
        subscribe(c, sub("sid/+", 1), 7);
        subscribe(c, sub("sid/#", 1), 9);
        subscribe(c, sub("sid/none/+", 1), null);

        c.publish("sid/a", message("both", 1)).waitForCompletion(PAHO_WAIT_MS);
        c.publish("sid/a/b", message("one", 1)).waitForCompletion(PAHO_WAIT_MS);
        c.publish("sid/none/x", message("none", 1)).waitForCompletion(PAHO_WAIT_MS);

        PahoInbox.Received both = inbox.next();
        assertThat(both.text()).isEqualTo("both");
        assertThat(both.message().getProperties().getSubscriptionIdentifiers()).containsExactlyInAnyOrder(7, 9);
        PahoInbox.Received one = inbox.next();
        assertThat(one.text()).isEqualTo("one");
        assertThat(one.message().getProperties().getSubscriptionIdentifiers()).containsExactly(9);
        PahoInbox.Received none = inbox.next();
        assertThat(none.text()).isEqualTo("none");
        assertThat(none.message().getProperties().getSubscriptionIdentifiers()).containsExactly(9);
    }

    @Test
    @DisplayName("[MQTT5-3.3.4-3] messages queued for an offline session, and an unacknowledged one sent again, "
            + "carry their Subscription Identifiers when the session is resumed")
    void subscriptionIdentifiersAfterResume() throws Exception {
        MqttConnectionOptions persistent = pahoOptions();
        persistent.setSessionExpiryInterval(60L);
        MqttAsyncClient c = connectedPaho("sid-resume", new PahoInbox(), persistent);
        subscribe(c, sub("sidr/+", 1), 11);
        subscribe(c, sub("sidr/#", 1), 12);
        c.disconnect().waitForCompletion(PAHO_WAIT_MS);
        c.close();
        Mqtt5BlockingClient pub = connected("sid-resume-pub");
        publish(pub, "sidr/t", "unacknowledged", 1);
        // the session in between with a client that receives the message and never acknowledges it
        BlockingQueue<Mqtt5Publish> notAcknowledged = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient between = client("sid-resume");
        between.toAsync().publishes(MqttGlobalPublishFilter.ALL, notAcknowledged::add, true);
        between.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        assertThat(notAcknowledged.poll(5, TimeUnit.SECONDS)).isNotNull();
        between.disconnect();
        publish(pub, "sidr/t", "queued", 1);

        PahoInbox inbox = new PahoInbox();
        MqttConnectionOptions resume = pahoOptions();
        resume.setCleanStart(false);
        resume.setSessionExpiryInterval(60L);
        MqttAsyncClient back = paho("sid-resume");
        back.setCallback(inbox);
        IMqttToken token = back.connect(resume);
        token.waitForCompletion(PAHO_WAIT_MS);

        assertThat(token.getSessionPresent()).isTrue();
        PahoInbox.Received again = inbox.next();
        assertThat(again.text()).isEqualTo("unacknowledged");
        assertThat(again.message().getProperties().getSubscriptionIdentifiers()).containsExactlyInAnyOrder(11, 12);
        PahoInbox.Received queued = inbox.next();
        assertThat(queued.text()).isEqualTo("queued");
        assertThat(queued.message().getProperties().getSubscriptionIdentifiers()).containsExactlyInAnyOrder(11, 12);
    }

    @Test
    @DisplayName("section 3.4.2.1, section 3.11.3: Paho sees PUBACK 0x10 (no matching subscribers) and 0x87 (not "
            + "authorized), SUBACK 0x87 and UNSUBACK 0x11, and stays connected")
    void reasonCodes() throws Exception {
        MqttAsyncClient c = connectedPaho("codes", new PahoInbox());

        IMqttToken nobody = c.publish("nobody/home", message("x", 1));
        nobody.waitForCompletion(PAHO_WAIT_MS);
        IMqttToken denied = c.publish("forbidden/x", message("x", 1));
        denied.waitForCompletion(PAHO_WAIT_MS);
        IMqttToken subDenied = subscribe(c, sub("forbidden/#", 1), null);
        IMqttToken unsub = c.unsubscribe("never/subscribed");
        unsub.waitForCompletion(PAHO_WAIT_MS);

        assertThat(nobody.getReasonCodes()).containsExactly(0x10);
        assertThat(denied.getReasonCodes()).containsExactly(0x87);
        assertThat(subDenied.getReasonCodes()).containsExactly(0x87);
        assertThat(unsub.getReasonCodes()).containsExactly(0x11);
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-6] [MQTT5-3.1.3-7] Paho with an empty client identifier is told the one assigned, "
            + "and a granted Session Expiry Interval below what it asked")
    void connAckProperties() throws Exception {
        restartWith(config().withFeatures(Features.defaults().withMaxSessionExpirySeconds(100)));
        MqttAsyncClient c = paho("");
        MqttConnectionOptions o = pahoOptions();
        o.setSessionExpiryInterval(1000L);
        IMqttToken token = c.connect(o);
        token.waitForCompletion(PAHO_WAIT_MS);

        assertThat(token.getResponseProperties().getAssignedClientIdentifier()).isNotEmpty();
        assertThat(token.getResponseProperties().getSessionExpiryInterval()).isEqualTo(100L);
        assertThat(token.getResponseProperties().getTopicAliasMaximum()).isEqualTo(Features.DEFAULT_TOPIC_ALIAS_MAXIMUM);
    }

    @Test
    @DisplayName("[MQTT5-3.3.2-12] [MQTT5-3.1.2-27] topic aliases chosen by a Paho publisher (set, used, remapped) "
            + "are resolved by the broker; a Paho subscriber that allows none gets every topic in full, a HiveMQ "
            + "subscriber that allows 2 gets them through its aliases")
    void topicAliasesFromPaho() throws Exception {
        PahoInbox pahoInbox = new PahoInbox();
        // Paho 1.2.5 does not resolve aliases it receives (eclipse-paho/paho.mqtt.java#866): it allows none here,
        // as by default, and must get full topics
        MqttAsyncClient pahoSub = connectedPaho("alias-paho-sub", pahoInbox);
        subscribe(pahoSub, sub("pal/#", 1), null);
        Mqtt5BlockingClient hiveSub = client("alias-hive-sub");
        Inbox5 hiveInbox = Inbox5.of(hiveSub);
        hiveSub.connectWith().cleanStart(true).restrictions().topicAliasMaximum(2).applyRestrictions().send();
        hiveSub.subscribeWith().topicFilter("pal/#").qos(qos(1)).send();
        MqttAsyncClient pub = connectedPaho("alias-paho-pub", new PahoInbox());

        String[][] sends = {{"pal/a", "1"}, {"pal/a", "1"}, {"pal/b", "2"}, {"pal/a", "1"}, {"pal/b", "2"},
                {"pal/c", "1"}, {"pal/c", "1"}, {"pal/b", "2"}, {"pal/d", null}, {"pal/a", null}};
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < sends.length; i++) {
            MqttMessage m = message("m" + i, 1);
            if (sends[i][1] != null) {
                MqttProperties props = new MqttProperties();
                props.setTopicAlias(Integer.parseInt(sends[i][1]));
                m.setProperties(props);
            }
            pub.publish(sends[i][0], m).waitForCompletion(PAHO_WAIT_MS);
            expected.add(sends[i][0] + "|m" + i);
        }

        List<String> paho = new ArrayList<>();
        List<String> hive = new ArrayList<>();
        for (int i = 0; i < sends.length; i++) {
            PahoInbox.Received r = pahoInbox.next();
            paho.add(r.topic() + "|" + r.text());
            Mqtt5Publish p = hiveInbox.next();
            hive.add(p.getTopic() + "|" + Inbox5.text(p));
        }
        assertThat(paho).containsExactlyElementsOf(expected);
        assertThat(hive).containsExactlyElementsOf(expected);
        assertThat(pub.isConnected()).isTrue();
    }

    /** Options with a will on {@code topic} that has user properties, a content type and {@code delaySeconds}. */
    private static MqttConnectionOptions withWill(String topic, String payload, long delaySeconds) {
        MqttConnectionOptions o = pahoOptions();
        o.setWill(topic, message(payload, 1));
        MqttProperties wp = new MqttProperties();
        wp.setUserProperties(List.of(new UserProperty("origin", "paho"), new UserProperty("n", "1"),
                new UserProperty("origin", "again")));
        wp.setContentType("text/plain");
        if (delaySeconds > 0) {
            wp.setWillDelayInterval(delaySeconds);
        }
        o.setWillMessageProperties(wp);
        return o;
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-8] [MQTT5-3.1.3-10] a connection closed without DISCONNECT publishes the will, with "
            + "its user properties in order and its content type")
    void willOnAbruptClose() throws Exception {
        Mqtt5BlockingClient watcher = connected("paho-will-watch");
        Inbox5 inbox = Inbox5.of(watcher);
        watcher.subscribeWith().topicFilter("pwills/#").qos(qos(1)).send();
        MqttAsyncClient c = connectedPaho("paho-will", new PahoInbox(), withWill("pwills/abrupt", "gone", 0));

        c.disconnectForcibly(0, 1000, false);

        Mqtt5Publish will = inbox.next();
        assertThat(Inbox5.describe(will)).isEqualTo("pwills/abrupt|gone|q1");
        assertThat(will.getUserProperties().asList()).extracting(p -> p.getName() + "=" + p.getValue())
                .containsExactly("origin=paho", "n=1", "origin=again");
        assertThat(will.getContentType()).hasValueSatisfying(ct -> assertThat(ct.toString()).isEqualTo("text/plain"));
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-9] a will with a delay is not published when the session is resumed within it")
    void willDelayResumed() throws Exception {
        Mqtt5BlockingClient watcher = connected("paho-delay-watch");
        Inbox5 inbox = Inbox5.of(watcher);
        watcher.subscribeWith().topicFilter("pwills/#").qos(qos(1)).send();
        MqttConnectionOptions o = withWill("pwills/delayed", "late", 1);
        o.setSessionExpiryInterval(60L);
        MqttAsyncClient c = connectedPaho("paho-delay", new PahoInbox(), o);
        c.disconnectForcibly(0, 1000, false);
        c.close(true);
        await().until(() -> broker.broker().stats().connections() == 1);

        MqttAsyncClient back = paho("paho-delay");
        MqttConnectionOptions resume = pahoOptions();
        resume.setCleanStart(false);
        resume.setSessionExpiryInterval(60L);
        IMqttToken token = back.connect(resume);
        token.waitForCompletion(PAHO_WAIT_MS);

        assertThat(token.getSessionPresent()).isTrue();
        // the delay is 1 s: twice that without the will
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(inbox::isEmpty);
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-8] a will with a delay is published once the delay has passed, not at once")
    void willDelayPassed() throws Exception {
        Mqtt5BlockingClient watcher = connected("paho-after-watch");
        Inbox5 inbox = Inbox5.of(watcher);
        watcher.subscribeWith().topicFilter("pwills/#").qos(qos(1)).send();
        MqttConnectionOptions o = withWill("pwills/after", "now", 1);
        o.setSessionExpiryInterval(60L);
        MqttAsyncClient c = connectedPaho("paho-after", new PahoInbox(), o);

        long closedAt = System.nanoTime();
        c.disconnectForcibly(0, 1000, false);

        assertThat(Inbox5.describe(inbox.next())).isEqualTo("pwills/after|now|q1");
        assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isGreaterThan(Duration.ofMillis(900));
    }

    @Test
    @DisplayName("a Paho v3 publisher's message reaches a Paho v5 subscriber without properties; a Paho v5 "
            + "publisher's message with properties reaches a Paho v3 subscriber as just its payload")
    void pahoV3AndV5Mixed() throws Exception {
        PahoInbox v5Inbox = new PahoInbox();
        MqttAsyncClient v5 = connectedPaho("mix-v5", v5Inbox);
        subscribe(v5, sub("mix/from3", 1), null);
        BlockingQueue<org.eclipse.paho.client.mqttv3.MqttMessage> v3Inbox =
                new LinkedBlockingQueue<>();
        org.eclipse.paho.client.mqttv3.MqttClient v3 = new org.eclipse.paho.client.mqttv3.MqttClient(
                broker.tcpUri(), "mix-v3", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        v3.setTimeToWait(PAHO_WAIT_MS);
        org.eclipse.paho.client.mqttv3.MqttConnectOptions o3 = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        o3.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
        o3.setCleanSession(true);
        v3.connect(o3);
        try {
            v3.subscribe("mix/from5", 1, (topic, m) -> v3Inbox.add(m));

            v3.publish("mix/from3", utf8("plain v3"), 1, false);
            MqttMessage rich = message("rich v5", 1);
            MqttProperties props = new MqttProperties();
            props.setUserProperties(List.of(new UserProperty("k", "v")));
            props.setContentType("text/plain");
            props.setResponseTopic("mix/reply");
            props.setCorrelationData(new byte[] {1, 2});
            props.setMessageExpiryInterval(60L);
            props.setPayloadFormat(true);
            rich.setProperties(props);
            v5.publish("mix/from5", rich).waitForCompletion(PAHO_WAIT_MS);

            PahoInbox.Received fromV3 = v5Inbox.next();
            assertThat(fromV3.topic() + "|" + fromV3.text()).isEqualTo("mix/from3|plain v3");
            MqttProperties got = fromV3.message().getProperties();
            assertThat(got.getUserProperties()).isEmpty();
            assertThat(got.getContentType()).isNull();
            assertThat(got.getResponseTopic()).isNull();
            assertThat(got.getCorrelationData()).isNull();
            assertThat(got.getMessageExpiryInterval()).isNull();
            org.eclipse.paho.client.mqttv3.MqttMessage toV3 =
                    v3Inbox.poll(5, TimeUnit.SECONDS);
            assertThat(toV3).isNotNull();
            assertThat(text(toV3.getPayload())).isEqualTo("rich v5");
            assertThat(toV3.getQos()).isEqualTo(1);
        } finally {
            v3.disconnect();
            v3.close();
        }
    }
}
