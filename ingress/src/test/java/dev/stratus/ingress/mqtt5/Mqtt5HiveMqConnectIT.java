package dev.stratus.ingress.mqtt5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckRestrictions;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.config.Features;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONNECT and CONNACK, sessions and their expiry, wills and the server's DISCONNECT, as the HiveMQ MQTT 5 client
 * sees them.
 */
class Mqtt5HiveMqConnectIT extends Mqtt5ClientTestBase {

    @Test
    @DisplayName("section 3.2.2.3: the client sees the server's Receive Maximum, Maximum Packet Size and Topic Alias "
            + "Maximum, and the defaults for what is switched on")
    void defaultRestrictions() {
        Mqtt5ConnAck connAck = client("restrictions").connectWith().cleanStart(true).send();

        Mqtt5ConnAckRestrictions r = connAck.getRestrictions();
        assertThat(r.getReceiveMaximum()).isEqualTo(Features.DEFAULT_RECEIVE_MAXIMUM);
        assertThat(r.getMaximumPacketSize()).isEqualTo(BrokerConfig.Limits.DEFAULT_MAX_PACKET_SIZE);
        assertThat(r.getTopicAliasMaximum()).isEqualTo(Features.DEFAULT_TOPIC_ALIAS_MAXIMUM);
        assertThat(r.getMaximumQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
        assertThat(r.isRetainAvailable()).isTrue();
        assertThat(r.isWildcardSubscriptionAvailable()).isTrue();
        assertThat(r.areSubscriptionIdentifiersAvailable()).isTrue();
        assertThat(r.isSharedSubscriptionAvailable()).isTrue();
        assertThat(connAck.getAssignedClientIdentifier()).isEmpty();
        assertThat(connAck.getSessionExpiryInterval()).isEmpty();
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-9] section 3.2.2.3: switched-off features reach the client library as restrictions: "
            + "Maximum QoS, Retain Available, Wildcard, Shared and Subscription Identifiers Available, and the "
            + "configured limits")
    void switchedOffFeatures() {
        restartWith(BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxPacketSize(4096))
                .withFeatures(Features.defaults().withMaximumQos(1).withRetainAvailable(false)
                        .withWildcardSubscriptions(false).withSubscriptionIdentifiers(false)
                        .withSharedSubscriptions(false).withReceiveMaximum(10).withTopicAliasMaximum(5)));

        Mqtt5ConnAckRestrictions r = client("off").connectWith().cleanStart(true).send().getRestrictions();

        assertThat(r.getMaximumQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(r.isRetainAvailable()).isFalse();
        assertThat(r.isWildcardSubscriptionAvailable()).isFalse();
        assertThat(r.areSubscriptionIdentifiersAvailable()).isFalse();
        assertThat(r.isSharedSubscriptionAvailable()).isFalse();
        assertThat(r.getReceiveMaximum()).isEqualTo(10);
        assertThat(r.getTopicAliasMaximum()).isEqualTo(5);
        assertThat(r.getMaximumPacketSize()).isEqualTo(4096);
    }

    @Test
    @DisplayName("[MQTT5-3.1.3-6] [MQTT5-3.1.3-7] [MQTT5-3.2.2-16] an empty client identifier is assigned one, "
            + "which the library adopts; two such clients get different ones")
    void assignedClientIdentifier() {
        Mqtt5BlockingClient first = client(null);
        Mqtt5ConnAck connAck = first.connectWith().cleanStart(true).send();
        Mqtt5BlockingClient second = client(null);
        Mqtt5ConnAck other = second.connectWith().cleanStart(true).send();

        assertThat(connAck.getAssignedClientIdentifier()).isPresent();
        String assigned = connAck.getAssignedClientIdentifier().get().toString();
        assertThat(assigned).isNotEmpty();
        assertThat(first.getConfig().getClientIdentifier()).hasValueSatisfying(
                id -> assertThat(id.toString()).isEqualTo(assigned));
        assertThat(other.getAssignedClientIdentifier().get().toString()).isNotEqualTo(assigned);
    }

    @Test
    @DisplayName("section 3.2.2.3.14: a keep alive of 0 or above the server's maximum is answered with Server Keep "
            + "Alive, which the library then uses; a keep alive within it is not")
    void serverKeepAlive() {
        restartWith(BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxKeepAliveSeconds(30)));

        Mqtt5BlockingClient none = client("ka-none");
        assertThat(none.connectWith().keepAlive(0).send().getServerKeepAlive()).hasValue(30);
        assertThat(none.getConfig().getConnectionConfig()).hasValueSatisfying(
                cc -> assertThat(cc.getKeepAlive()).isEqualTo(30));
        assertThat(client("ka-long").connectWith().keepAlive(600).send().getServerKeepAlive()).hasValue(30);
        assertThat(client("ka-ok").connectWith().keepAlive(20).send().getServerKeepAlive()).isEmpty();
    }

    @Test
    @DisplayName("section 3.2.2.3.2: a Session Expiry Interval above the server's maximum is granted as the maximum "
            + "and the library is told so")
    void sessionExpiryGranted() {
        restartWith(config().withFeatures(Features.defaults().withMaxSessionExpirySeconds(3600)));

        Mqtt5ConnAck capped = client("exp-long").connectWith().sessionExpiryInterval(7200).send();
        Mqtt5ConnAck asked = client("exp-ok").connectWith().sessionExpiryInterval(600).send();

        assertThat(capped.getSessionExpiryInterval()).hasValue(3600);
        assertThat(asked.getSessionExpiryInterval()).isEmpty();
    }

    // ---- sessions -----------------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-3.1.2-23] [MQTT5-3.1.2-5] [MQTT5-3.2.2-3] a session with an expiry outlives its "
            + "connection: resumed with Session Present and the QoS 1 messages queued meanwhile, in order")
    void persistentSessionResumes() throws Exception {
        Mqtt5BlockingClient sub = client("persist");
        sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        subscribe(sub, "persist/#", 1);
        sub.disconnect();
        Mqtt5BlockingClient pub = connected("persist-pub");
        for (int i = 0; i < 3; i++) {
            publish(pub, "persist/t", "m" + i, 1);
        }

        Mqtt5BlockingClient back = client("persist");
        Inbox5 inbox = Inbox5.of(back);
        Mqtt5ConnAck connAck = back.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        publish(pub, "persist/end", "end", 1);

        assertThat(connAck.isSessionPresent()).isTrue();
        assertThat(inbox.until("persist/end")).containsExactly("persist/t|m0|q1", "persist/t|m1|q1", "persist/t|m2|q1");
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-3] with Session Expiry 0 the session ends with the connection: no session present, "
            + "no subscription, nothing queued")
    void expiryZeroEndsWithConnection() throws Exception {
        Mqtt5BlockingClient sub = client("transient");
        sub.connectWith().cleanStart(true).sessionExpiryInterval(0).send();
        subscribe(sub, "transient/t", 1);
        sub.disconnect();
        Mqtt5BlockingClient pub = connected("transient-pub");
        publish(pub, "transient/t", "lost", 1);

        Mqtt5BlockingClient back = client("transient");
        Inbox5 inbox = Inbox5.of(back);
        Mqtt5ConnAck connAck = back.connectWith().cleanStart(false).send();
        subscribe(back, "transient/marker", 1);
        publish(pub, "transient/t", "after", 1);
        publish(pub, "transient/marker", "end", 1);

        assertThat(connAck.isSessionPresent()).isFalse();
        assertThat(inbox.until("transient/marker")).isEmpty();
    }

    @Test
    @DisplayName("[MQTT5-3.1.2-4] [MQTT5-3.2.2-2] Clean Start discards a persistent session: no session present, its "
            + "subscriptions and queued messages are gone")
    void cleanStartDiscards() throws Exception {
        Mqtt5BlockingClient sub = client("discard");
        sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        subscribe(sub, "discard/t", 1);
        sub.disconnect();
        Mqtt5BlockingClient pub = connected("discard-pub");
        publish(pub, "discard/t", "queued", 1);

        Mqtt5BlockingClient back = client("discard");
        Inbox5 inbox = Inbox5.of(back);
        Mqtt5ConnAck connAck = back.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        subscribe(back, "discard/marker", 1);
        publish(pub, "discard/t", "live", 1);
        publish(pub, "discard/marker", "end", 1);

        assertThat(connAck.isSessionPresent()).isFalse();
        assertThat(inbox.until("discard/marker")).isEmpty();
    }

    @Test
    @DisplayName("section 3.14.2.2.2: a client may end its persistent session with DISCONNECT and a Session Expiry "
            + "Interval of 0: it is not there on the next connection")
    void disconnectEndsSession() throws Exception {
        Mqtt5BlockingClient c = client("ending");
        c.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        subscribe(c, "ending/t", 1);
        c.disconnectWith().sessionExpiryInterval(0).send();

        Mqtt5BlockingClient back = client("ending");
        Inbox5 inbox = Inbox5.of(back);
        Mqtt5ConnAck connAck = back.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        subscribe(back, "ending/marker", 1);
        Mqtt5BlockingClient pub = connected("ending-pub");
        publish(pub, "ending/t", "after", 1);
        publish(pub, "ending/marker", "end", 1);

        assertThat(connAck.isSessionPresent()).isFalse();
        assertThat(inbox.until("ending/marker")).isEmpty();
    }

    // ---- the server's DISCONNECT --------------------------------------------------------------------------------

    /** A client whose disconnection, as the library reports it, completes {@code disconnected}. */
    private Mqtt5BlockingClient watched(String id, CompletableFuture<MqttClientDisconnectedContext> disconnected) {
        return track(hive(id).addDisconnectedListener(disconnected::complete).buildBlocking());
    }

    private static Mqtt5DisconnectReasonCode serverReason(CompletableFuture<MqttClientDisconnectedContext> f)
            throws Exception {
        MqttClientDisconnectedContext ctx = f.get(5, TimeUnit.SECONDS);
        assertThat(ctx.getSource()).isEqualTo(MqttDisconnectSource.SERVER);
        assertThat(ctx.getCause()).isInstanceOf(Mqtt5DisconnectException.class);
        return ((Mqtt5DisconnectException) ctx.getCause()).getMqttMessage().getReasonCode();
    }

    @Test
    @DisplayName("[MQTT5-3.1.4-3] a client whose session is taken over is told so: the library reports "
            + "DISCONNECT 0x8E from the server")
    void sessionTakenOver() throws Exception {
        CompletableFuture<MqttClientDisconnectedContext> disconnected = new CompletableFuture<>();
        watched("twice", disconnected).connectWith().cleanStart(true).send();

        connected("twice");

        assertThat(serverReason(disconnected)).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
    }

    @Test
    @DisplayName("section 3.14.2.1: a server going down tells its MQTT 5 clients so: the library reports "
            + "DISCONNECT 0x8B from the server")
    void serverShuttingDown() throws Exception {
        CompletableFuture<MqttClientDisconnectedContext> disconnected = new CompletableFuture<>();
        watched("bye", disconnected).connectWith().cleanStart(true).send();

        closeBroker();

        assertThat(serverReason(disconnected)).isEqualTo(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN);
    }

    // ---- wills --------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT5-3.14.4-3] [MQTT5-3.1.3-10] DISCONNECT 0x04 publishes the will with its properties, user "
            + "properties in order; a normal DISCONNECT does not")
    void disconnectWithWill() throws Exception {
        Mqtt5BlockingClient watcher = connected("will-watch");
        Inbox5 inbox = Inbox5.of(watcher);
        subscribe(watcher, "wills/#", 1);

        Mqtt5BlockingClient quiet = client("will-quiet");
        quiet.connectWith().willPublish().topic("wills/quiet").payload(utf8("should not")).qos(MqttQos.AT_LEAST_ONCE)
                .applyWillPublish().send();
        quiet.disconnect();
        Mqtt5BlockingClient loud = client("will-loud");
        loud.connectWith().willPublish().topic("wills/loud").payload(utf8("gone")).qos(MqttQos.AT_LEAST_ONCE)
                .contentType("text/plain")
                .responseTopic("wills/reply")
                .correlationData(new byte[] {7, 8})
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .messageExpiryInterval(100)
                .userProperties().add("k", "1").add("a", "2").add("k", "3").applyUserProperties()
                .applyWillPublish().send();
        loud.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();

        Mqtt5Publish will = inbox.next();
        assertThat(Inbox5.describe(will)).isEqualTo("wills/loud|gone|q1");
        assertThat(will.getContentType()).hasValueSatisfying(ct -> assertThat(ct.toString()).isEqualTo("text/plain"));
        assertThat(will.getUserProperties().asList()).extracting(p -> p.getName() + "=" + p.getValue())
                .containsExactly("k=1", "a=2", "k=3");
        assertThat(will.getResponseTopic()).hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("wills/reply"));
        assertThat(will.getCorrelationData()).hasValueSatisfying(b -> assertThat(b.remaining()).isEqualTo(2));
        assertThat(will.getPayloadFormatIndicator()).hasValue(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(will.getMessageExpiryInterval()).hasValue(100);
        publish(connected("will-marker"), "wills/marker", "end", 1);
        assertThat(inbox.until("wills/marker")).isEmpty();
    }

    @Test
    @DisplayName("section 3.1.4: the will of a client whose session is taken over is published")
    void willOnTakeover() throws Exception {
        Mqtt5BlockingClient watcher = connected("take-watch");
        Inbox5 inbox = Inbox5.of(watcher);
        subscribe(watcher, "wills/#", 1);
        Mqtt5BlockingClient first = client("taken");
        first.connectWith().willPublish().topic("wills/taken").payload(utf8("gone")).qos(MqttQos.AT_LEAST_ONCE)
                .applyWillPublish().send();

        connected("taken");

        assertThat(Inbox5.describe(inbox.next())).isEqualTo("wills/taken|gone|q1");
    }
}
