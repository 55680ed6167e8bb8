package dev.stratus.ingress.hivemq;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import dev.stratus.ingress.config.BrokerConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** SUBSCRIBE return codes (granted QoS, 0x80 for what the ACL refuses) and UNSUBSCRIBE, with the HiveMQ client. */
class HiveMqSubscribeIT extends HiveMqTestBase {

    @Override
    protected BrokerConfig config() {
        return BrokerConfig.forTests().withAuth(new BrokerConfig.Auth(true, Map.of(),
                List.of("deny subscribe secret/#"), true));
    }

    @Test
    @DisplayName("[MQTT-3.8.4-5] [MQTT-3.9.3-1] SUBACK has one return code per filter, in order, the granted QoS each")
    void subAckGrantsTheRequestedQosPerFilter() {
        Mqtt3BlockingClient c = connected("granted");

        Mqtt3SubAck ack = c.subscribeWith()
                .addSubscription().topicFilter("g/2").qos(qos(2)).applySubscription()
                .addSubscription().topicFilter("g/0").qos(qos(0)).applySubscription()
                .addSubscription().topicFilter("g/+/1").qos(qos(1)).applySubscription()
                .send();

        assertThat(ack.getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_2,
                Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_0, Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
    }

    @Test
    @DisplayName("[MQTT-3.9.3-2] a filter the ACL refuses gets 0x80 (failure), the others in the same SUBSCRIBE are granted")
    void refusedFilterGetsFailureAndOthersAreGranted() throws Exception {
        Mqtt3BlockingClient c = connected("mixed");
        Inbox inbox = Inbox.of(c);

        // the HiveMQ client reports a SUBACK with any failure code as an exception that carries the SUBACK
        Mqtt3SubAckException e = catchThrowableOfType(() -> c.subscribeWith()
                .addSubscription().topicFilter("public/#").qos(qos(1)).applySubscription()
                .addSubscription().topicFilter("secret/plans").qos(qos(1)).applySubscription()
                .addSubscription().topicFilter("#").qos(qos(2)).applySubscription()
                .send(), Mqtt3SubAckException.class);

        assertThat(e).as("SUBACK with failures").isNotNull();
        Mqtt3SubAck ack = e.getMqttMessage();
        assertThat(ack.getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1,
                Mqtt3SubAckReturnCode.FAILURE, Mqtt3SubAckReturnCode.FAILURE);
        assertThat(ack.getReturnCodes().get(1).getCode()).isEqualTo(0x80);
        Mqtt3BlockingClient pub = connected("mixed-pub");
        publish(pub, "secret/plans", "hidden", 1);
        publish(pub, "public/end", "end", 1);
        assertThat(inbox.until("public/end")).as("nothing from the refused filters").isEmpty();
        assertThat(c.getState().isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.9.3-2] a SUBSCRIBE whose only filter is refused: SUBACK 0x80 and the connection stays open")
    void onlyRefusedFilterGetsFailure() throws Exception {
        Mqtt3BlockingClient c = connected("refused");
        Inbox inbox = Inbox.of(c);

        Mqtt3SubAckException e = catchThrowableOfType(() -> subscribe(c, "secret/#", 1), Mqtt3SubAckException.class);

        assertThat(e).as("the HiveMQ client reports a SUBACK of failures as an exception").isNotNull();
        assertThat(e.getMqttMessage().getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.FAILURE);
        subscribe(c, "open", 0);
        publish(c, "open", "still connected", 0);
        assertThat(inbox.next(1)).containsExactly("open|still connected|q0");
    }

    @Test
    @DisplayName("[MQTT-3.10.4-1] [MQTT-3.10.4-2] after UNSUBSCRIBE no more messages for that filter; others continue")
    void unsubscribeStopsDelivery() throws Exception {
        Mqtt3BlockingClient c = connected("unsub");
        Inbox inbox = Inbox.of(c);
        subscribe(c, "u/a", 1);
        subscribe(c, "u/b", 1);
        Mqtt3BlockingClient pub = connected("unsub-pub");
        publish(pub, "u/a", "before", 1);
        assertThat(inbox.next(1)).containsExactly("u/a|before|q1");

        c.unsubscribeWith().topicFilter("u/a").send();
        publish(pub, "u/a", "after", 1);
        publish(pub, "u/b", "end", 1);

        assertThat(inbox.until("u/b")).isEmpty();
    }

    @Test
    @DisplayName("[MQTT-3.10.4-1] UNSUBSCRIBE compares filters character by character: a+ wildcard filter stays")
    void unsubscribeMatchesTheFilterExactly() throws Exception {
        Mqtt3BlockingClient c = connected("exact");
        Inbox inbox = Inbox.of(c);
        subscribe(c, "x/+", 1);
        subscribe(c, "x/y", 1);

        c.unsubscribeWith().topicFilter("x/y").send();
        publish(c, "x/y", "via wildcard", 1);

        assertThat(inbox.next(1)).containsExactly("x/y|via wildcard|q1");
    }

    @Test
    @DisplayName("[MQTT-3.10.4-5] UNSUBSCRIBE of a filter never subscribed is acknowledged")
    void unsubscribeOfUnknownFilterIsAcknowledged() throws Exception {
        Mqtt3BlockingClient c = connected("unknown-unsub");
        Inbox inbox = Inbox.of(c);

        c.unsubscribeWith().topicFilter("never/subscribed").send(); // returns once UNSUBACK arrived

        subscribe(c, "ok", 0);
        publish(c, "ok", "connected", 0);
        assertThat(inbox.next(1)).containsExactly("ok|connected|q0");
    }

    @Test
    @DisplayName("[MQTT-3.8.4-3] subscribing again to the same filter replaces the subscription's QoS")
    void resubscribeReplacesQos() throws Exception {
        Mqtt3BlockingClient c = connected("replace-qos");
        Inbox inbox = Inbox.of(c);
        subscribe(c, "rq/t", 2);
        subscribe(c, "rq/t", 0);

        publish(c, "rq/t", "once at QoS 0", 2);
        publish(c, "rq/t", "end", 0);

        assertThat(inbox.next(2)).containsExactly("rq/t|once at QoS 0|q0", "rq/t|end|q0");
    }
}
