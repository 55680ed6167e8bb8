package dev.stratus.ingress.cluster;

import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.RawMqttClient.Packet;
import dev.stratus.state.redis.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three broker JVMs started from the built artifact on one real redis-server; persistent-session subscribers at
 * QoS 1 and 2 on the node that is killed with SIGKILL mid-stream, publishers on all three (one QoS 1 and one QoS 2
 * publisher on the node that is killed, one of each on the others). Clients of the killed node reconnect to a
 * surviving node and resume their sessions; the publishers there send their unacknowledged message again. Every message a publisher got PUBACK or PUBREC for must
 * reach its subscriber, and no QoS 2 message may reach it twice [MQTT-4.3.3-2]: while the dead node's routes are
 * still in the table, what is forwarded to it waits and is then delivered again to the sessions it held, each
 * taking a QoS 2 message once (docs/cluster-durability.md). QoS 1 duplicates are allowed and printed.
 */
class ClusterKillIT {

    private static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final int MESSAGES = 300;
    private static final Duration STEP = Duration.ofSeconds(15);

    private RedisServerProcess redis;
    private final List<Process> nodes = new ArrayList<>();
    private final int[] ports = new int[3];
    private ExecutorService pool;

    @AfterEach
    void stopAll() {
        if (pool != null) {
            pool.shutdownNow();
        }
        nodes.forEach(Process::destroyForcibly);
        if (redis != null) {
            redis.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Process startNode(int i) throws IOException {
        ports[i] = freePort();
        Path log = Files.createTempFile("stratus-kill-node-" + i, ".log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dstratus.cluster.redis-url=redis://127.0.0.1:" + redis.port(),
                "-Dstratus.cluster.node-id=kill-node-" + i,
                "-Dstratus.cluster.heartbeat-interval=200ms", "-Dstratus.cluster.node-ttl=1s",
                "-Dstratus.mqtt.port=" + ports[i], "-Dstratus.ws.port=-1", "-Dquarkus.http.port=0",
                "-Dstratus.sys.interval=0",
                "-jar", APP.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        nodes.add(p);
        return p;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A subscriber that resumes its persistent session on another node when its node goes away. */
    private final class Subscriber implements Runnable {
        final String id;
        final String topic;
        final int qos;
        final int[] nodeOrder;
        final Map<String, Integer> received = new ConcurrentHashMap<>();
        final Set<Integer> awaitingRelease = new HashSet<>(); // QoS 2 ids received and not released [MQTT-4.3.3-2]
        final AtomicInteger reconnects = new AtomicInteger();
        volatile boolean subscribedOnce;
        volatile boolean stop;

        Subscriber(String id, String topic, int qos, int... nodeOrder) {
            this.id = id;
            this.topic = topic;
            this.qos = qos;
            this.nodeOrder = nodeOrder;
        }

        @Override
        public void run() {
            int attempt = 0;
            boolean subscribed = false;
            while (!stop) {
                int node = nodeOrder[Math.min(attempt, nodeOrder.length - 1)];
                try (RawMqttClient c = RawMqttClient.open(ports[node])) {
                    Packet ack = c.connect(RawMqttClient.connectPacket(id).cleanSession(false).keepAlive(30));
                    if (ack.connAckReturnCode() != 0) {
                        throw new IllegalStateException("refused " + ack.connAckReturnCode());
                    }
                    if (!subscribed) {
                        c.subscribeAndAwait(1, topic, qos);
                        subscribed = true;
                        subscribedOnce = true;
                    }
                    while (!stop) {
                        Optional<Packet> p = c.pollPacket(Duration.ofMillis(200));
                        if (p.isEmpty()) {
                            if (c.closedByBroker()) {
                                break;
                            }
                            continue;
                        }
                        handle(c, p.get());
                    }
                } catch (RuntimeException e) {
                    // the node is gone, or not there yet: try the next one
                }
                attempt++;
                reconnects.incrementAndGet();
            }
        }

        private void handle(RawMqttClient c, Packet p) {
            if (p.type() == RawMqttClient.PUBLISH) {
                String payload = p.payloadText();
                if (p.qos() == 1) {
                    received.merge(payload, 1, Integer::sum);
                    c.send(RawMqttClient.puback(p.packetId()));
                } else if (p.qos() == 2) {
                    if (awaitingRelease.add(p.packetId())) {
                        received.merge(payload, 1, Integer::sum); // a re-sent one (same id) is not new
                    }
                    c.send(RawMqttClient.pubrec(p.packetId()));
                }
            } else if (p.type() == RawMqttClient.PUBREL) {
                awaitingRelease.remove(p.packetId());
                c.send(RawMqttClient.pubcomp(p.packetId()));
            }
        }
    }

    /**
     * A publisher that sends one message at a time and, after a reconnect (to the next node of its list when its
     * node is gone), sends the unacknowledged one again with DUP and the same packet id [MQTT-4.4.0-1].
     */
    private final class Publisher implements Runnable {
        final String id;
        final String topic;
        final int qos;
        final int[] nodeOrder;
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final AtomicInteger sent = new AtomicInteger();

        Publisher(String id, String topic, int qos, int... nodeOrder) {
            this.id = id;
            this.topic = topic;
            this.qos = qos;
            this.nodeOrder = nodeOrder;
        }

        @Override
        public void run() {
            int i = 1;
            int attempt = 0;
            boolean dup = false;
            while (i <= MESSAGES) {
                int node = nodeOrder[Math.min(attempt++, nodeOrder.length - 1)];
                try (RawMqttClient c = RawMqttClient.open(ports[node])) {
                    c.connect(RawMqttClient.connectPacket(id).cleanSession(false));
                    while (i <= MESSAGES) {
                        String payload = id + "#" + i;
                        int packetId = 1 + (i % 60000);
                        if (!acknowledged.contains(payload)) {
                            c.send(RawMqttClient.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false,
                                    dup, packetId));
                            Packet ack = c.readUntil(qos == 1 ? RawMqttClient.PUBACK : RawMqttClient.PUBREC, STEP);
                            if (ack.packetId() != packetId) {
                                throw new IllegalStateException("ack for " + ack.packetId());
                            }
                            dup = false;
                            acknowledged.add(payload);
                        }
                        if (qos == 2) {
                            // after PUBREC only PUBREL is sent again, never the PUBLISH [MQTT-4.3.3-1]
                            c.send(RawMqttClient.pubrel(packetId));
                            c.readUntil(RawMqttClient.PUBCOMP, STEP);
                        }
                        sent.incrementAndGet();
                        i++;
                    }
                } catch (RuntimeException | AssertionError e) {
                    // refused, or the node is gone: reconnect and send the same message again, as a duplicate
                    dup = true;
                }
            }
        }
    }

    /** Until an MQTT 5 probe published on {@code node} finds a subscriber (PUBACK 0x00, not 0x10). */
    private void awaitRouted(int node, String topic) {
        try (RawMqttClient probe = RawMqttClient.open(ports[node])) {
            probe.connect(RawMqttClient.connectPacket("probe-" + node).v5());
            int[] id = {0};
            await("route of " + topic + " known to node " + node).atMost(STEP).until(() -> {
                id[0]++;
                probe.send(RawMqttClient.publish5(topic, "probe".getBytes(StandardCharsets.UTF_8), 1, false, id[0],
                        RawMqttClient.props()));
                return probe.readUntil(RawMqttClient.PUBACK, STEP).reasonCode() == 0;
            });
        }
    }

    @Test
    @DisplayName("SIGKILL of a node mid-stream: no message the broker acknowledged at QoS 1 or 2 is lost")
    void killANodeMidStream() throws Exception {
        assertThat(APP).as("the built application (mvn package)").exists();
        redis = RedisServerProcess.create().start();
        for (int i = 0; i < 3; i++) {
            startNode(i);
        }
        await("nodes listening").atMost(Duration.ofSeconds(60))
                .until(() -> listening(ports[0]) && listening(ports[1]) && listening(ports[2]));

        pool = Executors.newCachedThreadPool();
        Subscriber s1 = new Subscriber("kill-sub-1", "kill/q1", 1, 2, 0, 1);
        Subscriber s2 = new Subscriber("kill-sub-2", "kill/q2", 2, 2, 1, 0);
        pool.submit(s1);
        pool.submit(s2);
        await("subscribed").atMost(Duration.ofSeconds(30)).until(() -> s1.subscribedOnce && s2.subscribedOnce);
        awaitRouted(0, "kill/q1");
        awaitRouted(1, "kill/q2");
        Publisher p1 = new Publisher("kill-pub-1", "kill/q1", 1, 0);
        Publisher p2 = new Publisher("kill-pub-2", "kill/q2", 2, 1);
        Publisher p3 = new Publisher("kill-pub-3", "kill/q1", 1, 2, 1);
        Publisher p4 = new Publisher("kill-pub-4", "kill/q2", 2, 2, 0);
        List<Publisher> publishers = List.of(p1, p2, p3, p4);
        List<Future<?>> running = publishers.stream().<Future<?>>map(pool::submit).toList();

        await("a third of the messages acknowledged").atMost(Duration.ofSeconds(60))
                .until(() -> publishers.stream().allMatch(p -> p.sent.get() > MESSAGES / 3));
        nodes.get(2).destroyForcibly(); // SIGKILL: no shutdown hook, no hand-over
        for (Future<?> f : running) {
            f.get(3, TimeUnit.MINUTES);
        }

        await("every acknowledged message delivered").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(s1.received.keySet()).containsAll(p1.acknowledged).containsAll(p3.acknowledged);
            assertThat(s2.received.keySet()).containsAll(p2.acknowledged).containsAll(p4.acknowledged);
        });
        s1.stop = true;
        s2.stop = true;
        publishers.forEach(p -> assertThat(p.acknowledged).as(p.id).hasSize(MESSAGES));
        List<String> duplicatedQos2 = s2.received.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey).toList();
        assertThat(duplicatedQos2).as("QoS 2 messages delivered twice").isEmpty();
        assertThat(s1.reconnects.get()).as("the QoS 1 subscriber moved to another node").isPositive();
        assertThat(s2.reconnects.get()).as("the QoS 2 subscriber moved to another node").isPositive();
        System.out.printf("kill test: QoS 1 acknowledged %d, received %d distinct (%d deliveries); "
                        + "QoS 2 acknowledged %d, received %d distinct, duplicated %s%n",
                p1.acknowledged.size() + p3.acknowledged.size(), s1.received.size(),
                s1.received.values().stream().mapToInt(Integer::intValue).sum(),
                p2.acknowledged.size() + p4.acknowledged.size(), s2.received.size(), duplicatedQos2);
    }
}
