package dev.stratus.ingress.hivemq;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every PUBLISH a HiveMQ client receives, in arrival order. Attach it before connecting so that the messages a
 * resumed session brings back are seen too.
 */
public final class Inbox {

    private static final long WAIT_SECONDS = 5;

    private final BlockingQueue<Mqtt3Publish> queue = new LinkedBlockingQueue<>();

    public static Inbox of(Mqtt3Client client) {
        Inbox inbox = new Inbox();
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox.queue::add);
        return inbox;
    }

    /** The next message; fails when none arrives within a few seconds. */
    public Mqtt3Publish next() throws InterruptedException {
        Mqtt3Publish p = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(p).as("a message within %d s", WAIT_SECONDS).isNotNull();
        return p;
    }

    /** {@link #describe} of the next {@code n} messages. */
    public List<String> next(int n) throws InterruptedException {
        List<String> got = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            got.add(describe(next()));
        }
        return got;
    }

    /**
     * {@link #describe} of the messages that arrive before the first one on {@code markerTopic}: a marker
     * published after the messages under test proves that nothing else (no duplicate, no late message) is in the
     * per-session order ahead of it, without waiting for a timeout.
     */
    public List<String> until(String markerTopic) throws InterruptedException {
        List<String> before = new ArrayList<>();
        while (true) {
            Mqtt3Publish p = next();
            if (p.getTopic().toString().equals(markerTopic)) {
                return before;
            }
            before.add(describe(p));
        }
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** topic|payload|q&lt;qos&gt;, with |retained appended when the RETAIN flag is set. */
    public static String describe(Mqtt3Publish p) {
        return p.getTopic() + "|" + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8) + "|q"
                + p.getQos().getCode() + (p.isRetain() ? "|retained" : "");
    }
}
