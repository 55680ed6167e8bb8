package dev.stratus.ingress.hivemq;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import dev.stratus.ingress.config.BrokerConfig;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** PUBLISH at every QoS, in and out of the HiveMQ client, with the QoS downgraded to the subscription's. */
class HiveMqPublishIT extends HiveMqTestBase {

    @Override
    protected BrokerConfig config() {
        return BrokerConfig.forTests().withAuth(new BrokerConfig.Auth(true, Map.of(),
                List.of("deny publish forbidden/#"), true));
    }

    @ParameterizedTest(name = "published at QoS {0}, subscribed at QoS {1}: delivered at QoS {2}")
    @CsvSource({"0,0,0", "0,1,0", "0,2,0", "1,0,0", "1,1,1", "1,2,1", "2,0,0", "2,1,1", "2,2,2"})
    @DisplayName("[MQTT-3.8.4-6] [MQTT-3.3.5-1] delivered at the lower of the published and the granted QoS")
    void deliveredAtTheLowerOfPublishedAndGrantedQos(int publishedQos, int grantedQos, int deliveredQos)
            throws Exception {
        Mqtt3BlockingClient sub = connected("sub");
        Inbox inbox = Inbox.of(sub);
        assertThat(sub.subscribeWith().topicFilter("qos/t").qos(qos(grantedQos)).send().getReturnCodes())
                .extracting(rc -> rc.getCode()).containsExactly(grantedQos);
        Mqtt3BlockingClient pub = connected("pub");

        publish(pub, "qos/t", "m", publishedQos);

        assertThat(Inbox.describe(inbox.next())).isEqualTo("qos/t|m|q" + deliveredQos);
    }

    @Test
    @DisplayName("[MQTT-4.6.0-5] [MQTT-4.6.0-6] one publisher's messages to a topic arrive in order, each exactly once")
    void mixedQosStreamArrivesInOrder() throws Exception {
        Mqtt3BlockingClient sub = connected("order-sub");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "order/#", 2);
        Mqtt3BlockingClient pub = connected("order-pub");

        for (int i = 0; i < 30; i++) {
            publish(pub, "order/t", Integer.toString(i), i % 2 + 1);
        }
        publish(pub, "order/end", "end", 1);

        List<String> got = inbox.until("order/end");
        assertThat(got).hasSize(30);
        for (int i = 0; i < 30; i++) {
            assertThat(got.get(i)).isEqualTo("order/t|" + i + "|q" + (i % 2 + 1));
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.5-1] overlapping subscriptions: one copy at the highest granted QoS")
    void overlappingSubscriptionsDeliverOnceAtTheHighestQos() throws Exception {
        Mqtt3BlockingClient sub = connected("overlap-sub");
        Inbox inbox = Inbox.of(sub);
        sub.subscribeWith()
                .addSubscription().topicFilter("ov/#").qos(qos(1)).applySubscription()
                .addSubscription().topicFilter("ov/+/c").qos(qos(2)).applySubscription()
                .addSubscription().topicFilter("ov/b/c").qos(qos(0)).applySubscription()
                .send();
        Mqtt3BlockingClient pub = connected("overlap-pub");

        publish(pub, "ov/b/c", "all three", 2);
        publish(pub, "ov/b/d", "only #", 2);
        publish(pub, "ov/end", "end", 0);

        assertThat(inbox.until("ov/end")).containsExactly("ov/b/c|all three|q2", "ov/b/d|only #|q1");
    }

    @Test
    @DisplayName("[MQTT-3.3.5-1] a message matching several subscribers reaches each of them once")
    void everyMatchingSubscriberGetsOneCopy() throws Exception {
        Mqtt3BlockingClient a = connected("fan-a");
        Inbox inboxA = Inbox.of(a);
        subscribe(a, "fan/+", 1);
        Mqtt3BlockingClient b = connected("fan-b");
        Inbox inboxB = Inbox.of(b);
        subscribe(b, "fan/#", 2);
        subscribe(b, "fan/x", 0);

        publish(b, "fan/x", "hello", 2);
        publish(b, "fan/end", "end", 0);

        assertThat(inboxA.until("fan/end")).containsExactly("fan/x|hello|q1");
        assertThat(inboxB.until("fan/end")).as("the publisher's own subscription receives it too")
                .containsExactly("fan/x|hello|q2");
    }

    @Test
    @DisplayName("[MQTT-3.3.5-2] a PUBLISH the ACL forbids is acknowledged but not delivered")
    void unauthorizedPublishIsAcknowledgedAndDropped() throws Exception {
        Mqtt3BlockingClient sub = connected("acl-sub");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "#", 2);
        Mqtt3BlockingClient pub = connected("acl-pub");

        publish(pub, "forbidden/x", "no", 1); // returns only once PUBACK arrived
        publish(pub, "forbidden/y", "no", 2); // and PUBCOMP
        publish(pub, "allowed/end", "end", 1);

        assertThat(inbox.until("allowed/end")).isEmpty();
        assertThat(pub.getState().isConnected()).isTrue();
    }

    @Test
    @DisplayName("payloads pass unchanged: empty, binary and large")
    void payloadsPassUnchanged() throws Exception {
        Mqtt3BlockingClient sub = connected("payload-sub");
        Inbox inbox = Inbox.of(sub);
        subscribe(sub, "payload/#", 1);
        Mqtt3BlockingClient pub = connected("payload-pub");
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        byte[] large = new byte[200_000];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31);
        }

        pub.publishWith().topic("payload/empty").qos(qos(1)).send();
        pub.publishWith().topic("payload/binary").payload(binary).qos(qos(1)).send();
        pub.publishWith().topic("payload/large").payload(large).qos(qos(2)).send();

        assertThat(inbox.next().getPayloadAsBytes()).isEmpty();
        assertThat(inbox.next().getPayloadAsBytes()).isEqualTo(binary);
        assertThat(inbox.next().getPayloadAsBytes()).isEqualTo(large);
    }

    @Test
    @DisplayName("[MQTT-3.3.5-1] [MQTT-7.0.0-2] HiveMQ and Paho clients, default options and no extensions, "
            + "exchange messages both ways at QoS 0, 1 and 2")
    void hiveMqAndPahoExchangeMessages() throws Exception {
        Mqtt3BlockingClient hive = connected("hive");
        Inbox hiveInbox = Inbox.of(hive);
        subscribe(hive, "from-paho/#", 2);
        MqttClient paho = new MqttClient(broker.tcpUri(), "paho", new MemoryPersistence());
        BlockingQueue<String> pahoInbox = new LinkedBlockingQueue<>();
        try {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            paho.connect(options);
            paho.subscribe("from-hive/#", 2, (topic, m) ->
                    pahoInbox.add(topic + "|" + new String(m.getPayload(), StandardCharsets.UTF_8) + "|q" + m.getQos()));

            for (int q = 0; q <= 2; q++) {
                MqttMessage m = new MqttMessage(("p" + q).getBytes(StandardCharsets.UTF_8));
                m.setQos(q);
                paho.publish("from-paho/" + q, m);
                publish(hive, "from-hive/" + q, "h" + q, q);
            }

            assertThat(hiveInbox.next(3)).containsExactly("from-paho/0|p0|q0", "from-paho/1|p1|q1", "from-paho/2|p2|q2");
            for (int q = 0; q <= 2; q++) {
                assertThat(pahoInbox.poll(5, TimeUnit.SECONDS)).isEqualTo("from-hive/" + q + "|h" + q + "|q" + q);
            }
        } finally {
            if (paho.isConnected()) {
                paho.disconnect();
            }
            paho.close();
        }
    }

    @Test
    @DisplayName("[MQTT-4.7.2-1] a filter starting with a wildcard does not match $-topics")
    void wildcardDoesNotMatchDollarTopics() throws Exception {
        Mqtt3BlockingClient c = connected("dollar");
        Inbox inbox = Inbox.of(c);
        subscribe(c, "+/x", 1);
        subscribe(c, "$app/x", 1);

        publish(c, "$app/x", "dollar", 1);
        publish(c, "plain/x", "end", 1);

        assertThat(inbox.until("plain/x")).as("once, through the explicit subscription only")
                .containsExactly("$app/x|dollar|q1");
    }
}
