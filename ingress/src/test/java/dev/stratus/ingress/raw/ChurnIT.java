package dev.stratus.ingress.raw;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.ingress.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.stratus.ingress.raw.Waits.await;
import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static dev.stratus.ingress.support.RawMqttClient.publish;
import static dev.stratus.ingress.support.RawMqttClient.sub;
import static dev.stratus.ingress.support.RawMqttClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of short connections from several threads: half end with DISCONNECT, half just vanish (FIN or
 * reset); a quarter use persistent sessions (a few client ids, reused), the rest clean ones; most subscribe and
 * some publish, so persistent sessions also collect queued and unacknowledged messages while they come and go.
 * Afterwards the broker must be exactly where it started, apart from the persistent sessions and
 * their subscriptions, and must serve a fresh client normally.
 */
class ChurnIT {

    private static final int THREADS = 12;
    private static final int PER_THREAD = 250;
    /** Distinct persistent client ids per thread; each id is only ever used by its own thread, one at a time. */
    private static final int PERSISTENT_IDS_PER_THREAD = 15;
    private static final Duration BUDGET = Duration.ofSeconds(30);

    static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** What one thread left behind: the filters of each persistent client id. */
    private record Outcome(Map<String, Set<String>> persistentFilters) {
    }

    private static Outcome churn(int thread) {
        Map<String, Set<String>> persistentFilters = new HashMap<>();
        for (int j = 0; j < PER_THREAD; j++) {
            boolean persistent = j % 4 == 0;
            String clientId = persistent
                    ? "churn-p-" + thread + "-" + (j / 4) % PERSISTENT_IDS_PER_THREAD
                    : "churn-c-" + thread + "-" + j;
            RawMqttClient c = RawMqttClient.open(broker);
            try {
                Packet ack = c.connect(connectPacket(clientId).cleanSession(!persistent).keepAlive(30));
                assertThat(ack.connAckReturnCode()).as("CONNACK of %s", clientId).isZero();
                if (persistent) {
                    persistentFilters.computeIfAbsent(clientId, k -> new HashSet<>());
                }
                if (j % 3 != 0) {
                    String filter = j % 8 == 0 ? "churn/+/x/#"
                            : j % 2 == 0 ? "churn/" + thread + "/" + (j % 10) + "/#"
                            : "churn/+/x/" + (j % 7);
                    c.send(subscribe(1, sub(filter, j % 3)));
                    // a resumed persistent session may get its queued messages first
                    Packet suback = c.readUntil(RawMqttClient.SUBACK, Duration.ofSeconds(5));
                    assertThat(suback.returnCodes()).containsExactly(j % 3);
                    if (persistent) {
                        persistentFilters.get(clientId).add(filter);
                    }
                }
                if (j % 5 == 0) {
                    c.send(publish("churn/" + thread + "/x/" + (j % 7),
                            ("m" + j).getBytes(StandardCharsets.UTF_8), 1, false, false, 2));
                    // deliveries to this client's own subscription may come first
                    Packet p = c.readUntil(RawMqttClient.PUBACK, Duration.ofSeconds(5));
                    assertThat(p.packetId()).isEqualTo(2);
                }
            } finally {
                // half DISCONNECT, a quarter FIN, a quarter reset; persistent and clean sessions alike
                switch ((j + j / 4) % 4) {
                    case 0, 2 -> c.disconnect();
                    case 1 -> c.close();   // FIN without DISCONNECT
                    default -> c.abort();  // reset
                }
            }
        }
        return new Outcome(persistentFilters);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] [MQTT-3.1.2-6] 3000 connections opened and closed (DISCONNECT, FIN, reset; clean and "
            + "persistent): only the persistent sessions remain, and a fresh client is served")
    void brokerReturnsToBaselineAfterChurn() throws Exception {
        HealthyClient healthy = HealthyClient.connect(broker);
        assertThat(broker.broker().stats().connections()).isEqualTo(1);
        long openedBefore = broker.broker().stats().connectionsOpened();

        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        Map<String, Set<String>> persistentFilters = new HashMap<>();
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> churn(thread)));
            }
            for (Future<Outcome> f : futures) {
                long left = BUDGET.toNanos() - (System.nanoTime() - start);
                persistentFilters.putAll(f.get(Math.max(1, left), TimeUnit.NANOSECONDS).persistentFilters());
            }
        } finally {
            pool.shutdownNow();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("churn time").isLessThan(BUDGET);
        assertThat(broker.broker().stats().connectionsOpened() - openedBefore).isEqualTo((long) THREADS * PER_THREAD);

        // the broker kept serving a client connected all along, and serves a fresh one
        healthy.assertStillServed();
        HealthyClient probe = HealthyClient.connect(broker);
        probe.assertStillServed();
        probe.close();
        healthy.close();

        int expectedSessions = persistentFilters.size();
        int expectedSubscriptions = persistentFilters.values().stream().mapToInt(Set::size).sum();
        assertThat(expectedSessions).isEqualTo(THREADS * PERSISTENT_IDS_PER_THREAD);
        await("back to the baseline").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(broker.broker().stats().connections()).isZero();
            assertThat(broker.node().openConnections()).isZero();
            // clean sessions are gone, each persistent client id has exactly one session
            assertThat(broker.broker().sessions().size()).isEqualTo(expectedSessions);
            assertThat(broker.broker().sessions().all()).allSatisfy(s -> {
                assertThat(s.isPersistent()).isTrue();
                assertThat(s.connection()).isNull();
            });
            assertThat(broker.broker().subscriptionCount()).isEqualTo(expectedSubscriptions);
        });

        // CleanSession=1 discards each persistent session [MQTT-3.1.2-6]
        for (String clientId : persistentFilters.keySet()) {
            RawMqttClient c = RawMqttClient.connected(broker.tcpPort(), connectPacket(clientId).cleanSession(true));
            assertThat(c.lastConnAck().sessionPresent()).as("session present with CleanSession=1 [MQTT-3.2.2-1]")
                    .isFalse();
            c.disconnect();
        }
        await("no session left").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(broker.broker().stats().connections()).isZero();
            assertThat(broker.node().openConnections()).isZero();
            assertThat(broker.broker().sessions().size()).isZero();
            assertThat(broker.broker().subscriptionCount()).isZero();
        });
    }
}
