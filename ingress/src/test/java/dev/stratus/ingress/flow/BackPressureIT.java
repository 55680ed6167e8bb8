package dev.stratus.ingress.flow;

import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Publishers faster than their subscribers are slowed down (the broker stops reading from them) instead of the
 * broker dropping what it acknowledged; a subscriber that stops reading cannot stall its publishers for good.
 */
class BackPressureIT {

    private static final int PUBLISH = 3;
    private static final int PUBACK = 4;

    private TestBroker broker;
    private final List<RawMqttClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(RawMqttClient::close);
        if (broker != null) {
            broker.close();
        }
    }

    private RawMqttClient client(String id) {
        RawMqttClient c = RawMqttClient.connected(broker.tcpPort(), connectPacket(id).keepAlive(60));
        clients.add(c);
        return c;
    }

    /** Every message of a burst written in one go, on another thread: the write blocks while the broker pauses. */
    private static CompletableFuture<Void> burst(RawMqttClient publisher, String topic, int count, int qos, int size) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 1; i <= count; i++) {
            byte[] payload = ByteBuffer.allocate(Math.max(4, size)).putInt(i).array();
            all.writeBytes(RawMqttClient.publish(topic, payload, qos, false, false, qos == 0 ? 0 : 1 + (i - 1) % 65535));
        }
        byte[] bytes = all.toByteArray();
        return CompletableFuture.runAsync(() -> publisher.sendRaw(bytes));
    }

    /**
     * One publisher, one slow QoS 1 subscriber, a queue small enough (40) that the race between the publisher
     * pausing and the subscriber's queue filling up decides: several rounds, since one round lost messages only
     * now and then (when a publisher was woken while its subscriber was congested again).
     */
    @Test
    void acknowledgedQos1MessagesAreNotDroppedWhenThePublisherOutpacesTheSubscriber() throws Exception {
        broker = TestBroker.start(BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxQueued(40).withMaxInflight(2)));
        for (int round = 1; round <= 25; round++) {
            RawMqttClient subscriber = client("slow-sub-" + round);
            subscriber.subscribeAndAwait(1, "bp/q1/" + round, 1);
            RawMqttClient publisher = client("fast-pub-" + round);

            int count = 3000;
            CompletableFuture<Void> sent = burst(publisher, "bp/q1/" + round, count, 1, 16);
            AtomicInteger acked = new AtomicInteger();
            CompletableFuture<Void> pubacks = CompletableFuture.runAsync(() -> {
                while (acked.get() < count) {
                    if (publisher.readPacket(Duration.ofSeconds(20)).type() == PUBACK) {
                        acked.incrementAndGet();
                    }
                }
            });
            int expected = 1;
            while (expected <= count) {
                Packet p = subscriber.readPacket(Duration.ofSeconds(20));
                assertThat(p.type()).isEqualTo(PUBLISH);
                assertThat(ByteBuffer.wrap(p.payload()).getInt()).as("round %d: in order, none missing", round)
                        .isEqualTo(expected);
                subscriber.send(RawMqttClient.puback(p.packetId()));
                expected++;
            }
            sent.get(20, TimeUnit.SECONDS);
            pubacks.get(20, TimeUnit.SECONDS);
            assertThat(acked.get()).isEqualTo(count);
            assertThat(broker.broker().stats().dropped(DropReason.QUEUE_FULL)).as("round %d", round).isZero();
            publisher.close();
            subscriber.close();
        }
    }

    /**
     * Many publishers (30, near the queue's 40), each a burst at once: each may get a message past the congestion
     * signal before it pauses, together more than the queue has left; they are held, not dropped. The bound is
     * documented: the subscriber is congested at half its queue, and holds at most {@code max-queued} offers more;
     * past that (more publishers at once than about 1.5 queues) the oldest is dropped and counted, so that memory
     * stays bounded whatever the publishers do. With 60 publishers here, 1 to 5 drops were seen in half the runs.
     */
    @Test
    void acknowledgedQos1MessagesOfManyPublishersAreNotDroppedForASmallQueue() throws Exception {
        broker = TestBroker.start(BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxQueued(40).withMaxInflight(2)));
        RawMqttClient subscriber = client("fan-in-q1-sub");
        subscriber.subscribeAndAwait(1, "fan1/+", 1);
        int publishers = 30;
        int each = 100;
        List<RawMqttClient> pubs = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            pubs.add(client("fan-in-q1-pub-" + p));
        }
        // a burst fits in the socket buffer: written in turn, they arrive at the broker together
        for (int p = 0; p < publishers; p++) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 1; i <= each; i++) {
                all.writeBytes(RawMqttClient.publish("fan1/" + p, ByteBuffer.allocate(4).putInt(i).array(), 1,
                        false, false, i));
            }
            pubs.get(p).sendRaw(all.toByteArray());
        }
        int[] last = new int[publishers];
        for (int received = 0; received < publishers * each; received++) {
            Packet packet = subscriber.readPacket(Duration.ofSeconds(20));
            assertThat(packet.type()).isEqualTo(PUBLISH);
            int from = Integer.parseInt(packet.topic().substring("fan1/".length()));
            int n = ByteBuffer.wrap(packet.payload()).getInt();
            assertThat(n).as("from publisher %d: in order, none missing (dropped so far: %d queue_full, %d stuck)",
                    from, broker.broker().stats().dropped(DropReason.QUEUE_FULL),
                    broker.broker().stats().dropped(DropReason.SLOW_SUBSCRIBER)).isEqualTo(last[from] + 1);
            last[from] = n;
            subscriber.send(RawMqttClient.puback(packet.packetId()));
        }
        for (RawMqttClient pub : pubs) {
            for (int i = 0; i < each; i++) {
                assertThat(pub.readPacket(Duration.ofSeconds(10)).type()).isEqualTo(PUBACK);
            }
        }
        assertThat(broker.broker().stats().dropped(DropReason.QUEUE_FULL)).isZero();
    }

    /**
     * A QoS 1 subscriber that never reads: its publisher is held back only for the give-up time, then what the
     * subscriber cannot take is dropped and counted, and the broker holds no more than its queue limits.
     */
    @Test
    void aQos1SubscriberThatStopsReadingDoesNotStallItsPublisherForGood() throws Exception {
        int maxQueued = 40;
        broker = TestBroker.start(BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxQueued(maxQueued).withMaxInflight(2)));
        RawMqttClient stuck = client("stuck-q1-sub");
        stuck.subscribeAndAwait(1, "stuck/q1", 1);
        RawMqttClient healthy = client("healthy-q1-sub");
        healthy.subscribeAndAwait(1, "other", 0);
        RawMqttClient publisher = client("stuck-q1-pub");

        int count = 500;
        CompletableFuture<Void> sent = burst(publisher, "stuck/q1", count, 1, 16);
        for (int i = 0; i < count; i++) {
            assertThat(publisher.readPacket(Duration.ofSeconds(10)).type()).isEqualTo(PUBACK);
        }
        sent.get(10, TimeUnit.SECONDS);
        // at most the inflight window, the queue and as many again held back may be kept: the rest is dropped
        long mostKept = 2 + 2L * maxQueued;
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                broker.broker().stats().dropped(DropReason.QUEUE_FULL)).isGreaterThanOrEqualTo(count - mostKept));
        assertThat(broker.broker().stats().queued()).isLessThanOrEqualTo(maxQueued);

        publisher.send(RawMqttClient.publish("other", "still serving"));
        assertThat(healthy.readPacket(Duration.ofSeconds(10)).payloadText()).isEqualTo("still serving");
    }

    @Test
    void qos0FanInIsSlowedDownNotDropped() throws Exception {
        broker = TestBroker.start();
        RawMqttClient subscriber = client("fan-in-sub");
        subscriber.subscribeAndAwait(1, "fan/+", 0);
        int publishers = 4;
        int each = 25_000;
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            sends.add(burst(client("fan-in-pub-" + p), "fan/" + p, each, 0, 64));
        }
        int received = 0;
        while (received < publishers * each) {
            assertThat(subscriber.readPacket(Duration.ofSeconds(20)).type()).isEqualTo(PUBLISH);
            received++;
        }
        for (CompletableFuture<Void> s : sends) {
            s.get(20, TimeUnit.SECONDS);
        }
        assertThat(broker.broker().stats().dropped(DropReason.SLOW_SUBSCRIBER)).isZero();
    }

    @Test
    void aSubscriberThatStopsReadingDoesNotStallItsPublishersForGood() throws Exception {
        broker = TestBroker.start();
        RawMqttClient stuck = client("stuck-sub");
        stuck.subscribeAndAwait(1, "big/#", 0);
        RawMqttClient healthy = client("healthy-sub");
        healthy.subscribeAndAwait(1, "other", 0);
        RawMqttClient publisher = client("big-pub");

        // far more than the socket buffers and the broker's outbound limit can hold for a reader that never reads
        CompletableFuture<Void> sent = burst(publisher, "big/data", 2_000, 0, 8 * 1024);
        sent.get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> broker.broker().stats().dropped(DropReason.SLOW_SUBSCRIBER) > 0);

        publisher.send(RawMqttClient.publish("other", "still serving"));
        Packet p = healthy.readPacket(Duration.ofSeconds(10));
        assertThat(p.payloadText()).isEqualTo("still serving");
    }
}
