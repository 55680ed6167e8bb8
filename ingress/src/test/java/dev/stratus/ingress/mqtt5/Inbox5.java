package dev.stratus.ingress.mqtt5;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every PUBLISH a HiveMQ MQTT 5 client receives, in arrival order. Attach it before connecting so that the
 * messages a resumed session brings back are seen too.
 */
final class Inbox5 {

    private static final long WAIT_SECONDS = 5;

    private final BlockingQueue<Mqtt5Publish> queue = new LinkedBlockingQueue<>();

    static Inbox5 of(Mqtt5Client client) {
        Inbox5 inbox = new Inbox5();
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox.queue::add);
        return inbox;
    }

    /** The next message; fails when none arrives within a few seconds. */
    Mqtt5Publish next() throws InterruptedException {
        Mqtt5Publish p = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(p).as("a message within %d s", WAIT_SECONDS).isNotNull();
        return p;
    }

    /** {@link #describe} of the next {@code n} messages. */
    List<String> next(int n) throws InterruptedException {
        List<String> got = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            got.add(describe(next()));
        }
        return got;
    }

    /**
     * {@link #describe} of the messages that arrive before the first one on {@code markerTopic}: a marker sent
     * after the messages under test shows that nothing else is ahead of it in the session's order, without
     * waiting for a timeout.
     */
    List<String> until(String markerTopic) throws InterruptedException {
        List<String> before = new ArrayList<>();
        while (true) {
            Mqtt5Publish p = next();
            if (p.getTopic().toString().equals(markerTopic)) {
                return before;
            }
            before.add(describe(p));
        }
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** topic|payload|q&lt;qos&gt;, with |retained appended when the RETAIN flag is set. */
    static String describe(Mqtt5Publish p) {
        return p.getTopic() + "|" + text(p) + "|q" + p.getQos().getCode() + (p.isRetain() ? "|retained" : "");
    }

    static String text(Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }
}
