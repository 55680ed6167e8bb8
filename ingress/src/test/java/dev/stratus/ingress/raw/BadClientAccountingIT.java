package dev.stratus.ingress.raw;

import dev.stratus.ingress.support.RawMqttClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static dev.stratus.ingress.raw.Waits.await;
import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static dev.stratus.ingress.support.RawMqttClient.pingreq;
import static dev.stratus.ingress.support.RawMqttClient.publish;
import static dev.stratus.ingress.support.RawMqttClient.sub;
import static dev.stratus.ingress.support.RawMqttClient.subscribe;
import static dev.stratus.ingress.support.RawMqttClient.withFlags;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of bad client at once, several of each, in parallel: afterwards the broker holds no connection, no
 * session and no subscription of theirs, and still serves a healthy client.
 */
class BadClientAccountingIT extends RawBrokerTestBase {

    private static final int ROUNDS = 10;

    private static List<Consumer<RawMqttClient>> behaviours() {
        List<Consumer<RawMqttClient>> b = new ArrayList<>();
        // closed by the broker
        b.add(c -> c.send(pingreq()));                                                   // before CONNECT
        b.add(c -> c.send(connectPacket("acct-reserved-" + id()).setFlags(0x01).build()));
        b.add(c -> c.send(connectPacket("acct-level-" + id()).protocolLevel(6).build()));
        b.add(c -> c.send(connectPacket("acct-will-" + id()).setFlags(0x20).build()));
        b.add(c -> c.send(connectPacket("acct-pw-" + id()).password("x").build()));
        b.add(c -> c.sendRaw(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}));
        b.add(c -> c.sendRaw(new byte[] {0x10, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x05}));
        b.add(c -> connectThen(c, withFlags(subscribe(1, sub("acct/#", 1)), 0)));
        b.add(c -> connectThen(c, subscribe(1, sub("acct/#", 1), sub("acct/3", 3))));
        b.add(c -> connectThen(c, subscribe(1)));
        b.add(c -> connectThen(c, RawMqttClient.unsubscribe(1)));
        b.add(c -> connectThen(c, publish("acct/+", "x")));
        b.add(c -> connectThen(c, connectPacket("again").build()));
        b.add(c -> connectThen(c, withFlags(pingreq(), 1)));
        b.add(c -> connectThen(c, new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01}));
        // silent: closed by the connect timeout
        b.add(c -> { });
        b.add(c -> c.sendRaw(new byte[] {0x10, 20, 0, 4, 'M'}));
        return b;
    }

    private static final AtomicInteger IDS = new AtomicInteger();

    private static int id() {
        return IDS.incrementAndGet();
    }

    private static void connectThen(RawMqttClient c, byte[] bad) {
        String clientId = "acct-" + id();
        RawMqttClient.Packet ack = c.connect(connectPacket(clientId));
        assertThat(ack.connAckReturnCode()).isZero();
        // something to clean up: a subscription of the clean session
        c.send(subscribe(100, sub("acct/" + clientId, 1)));
        c.expect(RawMqttClient.SUBACK, PROMPTLY);
        c.send(bad);
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] after many bad clients (closed by the broker or gone abruptly) connections, "
            + "sessions and subscriptions return to 0")
    void countersReturnToZeroAfterBadClients() throws Exception {
        long openedBefore = broker.broker().stats().connectionsOpened();
        List<Consumer<RawMqttClient>> behaviours = behaviours();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                for (Consumer<RawMqttClient> behaviour : behaviours) {
                    done.add(pool.submit(() -> {
                        try (RawMqttClient c = RawMqttClient.open(broker)) {
                            behaviour.accept(c);
                            c.awaitClosed(CONNECT_TIMEOUT.plus(PROMPTLY));
                        }
                    }));
                }
                // and clients that vanish in the middle of a packet, with a reset
                done.add(pool.submit(() -> {
                    RawMqttClient c = RawMqttClient.open(broker);
                    connectThen(c, new byte[] {0x30, 20, 0, 3, 'a'});
                    c.abort();
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        healthy.assertStillServed();
        assertThat(broker.broker().stats().connectionsOpened() - openedBefore)
                .as("bad clients that got as far as CONNECT were counted").isPositive();
        await("only the healthy client is left").atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(broker.broker().stats().connections()).isEqualTo(1);
            assertThat(broker.node().openConnections()).isEqualTo(1);
            assertThat(broker.broker().sessions().size()).isEqualTo(1);
            assertThat(broker.broker().subscriptionCount()).isEqualTo(1);
        });
        healthy.close();
        healthy = null;
        await("nothing is left").atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(broker.broker().stats().connections()).isZero();
            assertThat(broker.node().openConnections()).isZero();
            assertThat(broker.broker().sessions().size()).isZero();
            assertThat(broker.broker().subscriptionCount()).isZero();
        });
    }
}
