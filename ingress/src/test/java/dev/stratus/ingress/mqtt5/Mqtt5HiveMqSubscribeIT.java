package dev.stratus.ingress.mqtt5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAckReasonCode;
import dev.stratus.ingress.config.Features;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.stratus.ingress.support.Mqtt5Bytes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/** SUBSCRIBE and UNSUBSCRIBE as the HiveMQ MQTT 5 client sees them: reason codes and subscription options. */
class Mqtt5HiveMqSubscribeIT extends Mqtt5ClientTestBase {

    /** The SUBACK reason codes, whether the library returns the SUBACK or throws for its error codes. */
    private static List<Mqtt5SubAckReasonCode> subAckCodes(Mqtt5BlockingClient c, Mqtt5Subscribe subscribe) {
        try {
            return c.subscribe(subscribe).getReasonCodes();
        } catch (Mqtt5SubAckException e) {
            return e.getMqttMessage().getReasonCodes();
        }
    }

    @Test
    @DisplayName("[MQTT5-3.9.3-1] [MQTT5-3.8.4-6] SUBACK reason codes in the order of the filters: granted QoS, 0x87 "
            + "not authorized, 0x9E shared subscriptions not supported (switched off)")
    void subAckReasonCodes() {
        restartWith(config().withFeatures(Features.defaults().withSharedSubscriptions(false)));
        Mqtt5BlockingClient c = connected("suback");

        List<Mqtt5SubAckReasonCode> codes = subAckCodes(c, Mqtt5Subscribe.builder()
                .addSubscription().topicFilter("ok/t").qos(MqttQos.EXACTLY_ONCE).applySubscription()
                .addSubscription().topicFilter("forbidden/t").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .addSubscription().topicFilter("$share/group/t").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .addSubscription().topicFilter("ok/+").qos(MqttQos.AT_MOST_ONCE).applySubscription()
                .build());

        assertThat(codes).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2, Mqtt5SubAckReasonCode.NOT_AUTHORIZED,
                Mqtt5SubAckReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED, Mqtt5SubAckReasonCode.GRANTED_QOS_0);
        assertThat(c.getState().isConnected()).isTrue();
    }

    @Test
    @DisplayName("section 4.8.2: two HiveMQ clients in one shared subscription group share 10 messages, each "
            + "delivered once to one of them")
    void sharedSubscription() throws Exception {
        Mqtt5BlockingClient a = connected("share-a");
        Inbox5 aInbox = Inbox5.of(a);
        Mqtt5BlockingClient b = connected("share-b");
        Inbox5 bInbox = Inbox5.of(b);
        assertThat(a.subscribeWith().topicFilter("$share/work/jobs/+").qos(MqttQos.AT_LEAST_ONCE).send()
                .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        subscribe(b, "$share/work/jobs/+", 1);
        subscribe(a, "jobs-end", 1);
        subscribe(b, "jobs-end", 1);
        Mqtt5BlockingClient pub = connected("share-pub");

        List<String> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            publish(pub, "jobs/j" + i, "job" + i, 1);
            sent.add("jobs/j" + i + "|job" + i + "|q1");
        }
        publish(pub, "jobs-end", "end", 1);

        List<String> toA = aInbox.until("jobs-end");
        List<String> toB = bInbox.until("jobs-end");
        List<String> all = new java.util.ArrayList<>(toA);
        all.addAll(toB);
        assertThat(all).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(toA).isNotEmpty();
        assertThat(toB).isNotEmpty();
    }

    @Test
    @DisplayName("section 3.9.3: with wildcard subscriptions switched off a filter with '+' or '#' gets 0xA2, "
            + "a plain one is granted")
    void wildcardsOff() {
        restartWith(config().withFeatures(Features.defaults().withWildcardSubscriptions(false)));
        Mqtt5BlockingClient c = connected("nowild");

        List<Mqtt5SubAckReasonCode> codes = subAckCodes(c, Mqtt5Subscribe.builder()
                .addSubscription().topicFilter("w/+").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .addSubscription().topicFilter("w/#").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .addSubscription().topicFilter("w/t").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .build());

        assertThat(codes).containsExactly(Mqtt5SubAckReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED,
                Mqtt5SubAckReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED, Mqtt5SubAckReasonCode.GRANTED_QOS_1);
    }

    @Test
    @DisplayName("[MQTT5-3.2.2-10] [MQTT5-3.8.4-7] [MQTT5-3.8.4-8] with Maximum QoS 1 a QoS 2 subscription is "
            + "accepted and granted QoS 1, and messages arrive at QoS 1")
    void grantedQosCapped() throws Exception {
        restartWith(config().withFeatures(Features.defaults().withMaximumQos(1)));
        Mqtt5BlockingClient c = connected("capped");
        Inbox5 inbox = Inbox5.of(c);

        assertThat(c.subscribeWith().topicFilter("cap/t").qos(MqttQos.EXACTLY_ONCE).send().getReasonCodes())
                .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        publish(connected("capped-pub"), "cap/t", "m", 1);

        assertThat(Inbox5.describe(inbox.next())).isEqualTo("cap/t|m|q1");
    }

    @Test
    @DisplayName("[MQTT5-3.11.3-1] UNSUBACK: 0x00 for a removed subscription, 0x11 for one that did not exist, in order")
    void unsubAckReasonCodes() {
        Mqtt5BlockingClient c = connected("unsub");
        subscribe(c, "uns/a", 1);

        assertThat(c.unsubscribeWith().topicFilter("uns/a").addTopicFilter("uns/never").send().getReasonCodes())
                .containsExactly(Mqtt5UnsubAckReasonCode.SUCCESS, Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED);
        assertThat(c.unsubscribeWith().topicFilter("uns/a").send().getReasonCodes())
                .containsExactly(Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED);
    }

    @Test
    @DisplayName("[MQTT5-3.8.3-3] No Local: a client does not get its own messages on that subscription; others do")
    void noLocal() throws Exception {
        Mqtt5BlockingClient self = connected("nl-self");
        Inbox5 selfInbox = Inbox5.of(self);
        self.subscribeWith().topicFilter("nl/t").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
        subscribe(self, "nl/end", 1);
        Mqtt5BlockingClient other = connected("nl-other");
        Inbox5 otherInbox = Inbox5.of(other);
        subscribe(other, "nl/t", 1);

        publish(self, "nl/t", "own", 1);
        publish(other, "nl/t", "theirs", 1);
        publish(self, "nl/end", "end", 1);

        assertThat(selfInbox.until("nl/end")).containsExactly("nl/t|theirs|q1");
        assertThat(otherInbox.next(2)).containsExactly("nl/t|own|q1", "nl/t|theirs|q1");
    }

    @Test
    @DisplayName("[MQTT5-3.3.1-12] [MQTT5-3.3.1-13] Retain As Published: RETAIN kept on forwarded messages with it, "
            + "cleared without it")
    void retainAsPublished() throws Exception {
        Mqtt5BlockingClient kept = connected("rap-kept");
        Inbox5 keptInbox = Inbox5.of(kept);
        kept.subscribeWith().topicFilter("rap/t").qos(MqttQos.AT_LEAST_ONCE).retainAsPublished(true).send();
        Mqtt5BlockingClient plain = connected("rap-plain");
        Inbox5 plainInbox = Inbox5.of(plain);
        subscribe(plain, "rap/t", 1);
        Mqtt5BlockingClient pub = connected("rap-pub");

        pub.publishWith().topic("rap/t").payload(utf8("r")).qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
        publish(pub, "rap/t", "n", 1);

        assertThat(keptInbox.next(2)).containsExactly("rap/t|r|q1|retained", "rap/t|n|q1");
        assertThat(plainInbox.next(2)).containsExactly("rap/t|r|q1", "rap/t|n|q1");
    }

    @Test
    @DisplayName("[MQTT5-3.3.1-9] [MQTT5-3.3.1-10] [MQTT5-3.3.1-11] Retain Handling: 0 sends retained messages on "
            + "every subscribe, 1 only when the subscription is new, 2 never")
    void retainHandling() throws Exception {
        Mqtt5BlockingClient pub = connected("rh-pub");
        pub.publishWith().topic("rh/t").payload(utf8("kept")).qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
        Mqtt5BlockingClient c = connected("rh");
        Inbox5 inbox = Inbox5.of(c);
        subscribe(c, "rh-end", 1);

        for (Mqtt5RetainHandling handling : List.of(Mqtt5RetainHandling.SEND,
                Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST, Mqtt5RetainHandling.DO_NOT_SEND)) {
            String filter = "rh/" + (handling == Mqtt5RetainHandling.SEND ? "+"
                    : handling == Mqtt5RetainHandling.DO_NOT_SEND ? "#" : "t");
            for (int round = 0; round < 2; round++) {
                c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).retainHandling(handling).send();
                publish(pub, "rh-end", "end", 1);
                boolean expected = handling == Mqtt5RetainHandling.SEND
                        || (handling == Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST && round == 0);
                List<String> before = inbox.until("rh-end");
                if (expected) {
                    assertThat(before).as("%s, subscribe #%d", handling, round + 1)
                            .containsExactly("rh/t|kept|q1|retained");
                } else {
                    assertThat(before).as("%s, subscribe #%d", handling, round + 1).isEmpty();
                }
            }
            c.unsubscribeWith().topicFilter(filter).send();
        }
    }
}
