package dev.stratus.ingress.metrics;

import dev.stratus.ingress.broker.BrokerStats;
import dev.stratus.ingress.broker.CloseReason;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.TestBroker;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static org.assertj.core.api.Assertions.assertThat;

/** The engine's counters as real clients drive them: close reasons, and the inflight and queued levels. */
class BrokerCountersIT {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);
    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    private final List<AutoCloseable> resources = new ArrayList<>();

    private static ConditionFactory await() {
        return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).atMost(PROMPTLY);
    }

    private TestBroker broker(BrokerConfig.Limits limits) {
        TestBroker b = TestBroker.start(BrokerConfig.forTests().withLimits(limits));
        resources.add(b);
        return b;
    }

    private RawMqttClient open(TestBroker b) {
        RawMqttClient c = RawMqttClient.open(b);
        resources.add(0, c);
        return c;
    }

    private RawMqttClient connect(TestBroker b, RawMqttClient.Connect connect) {
        RawMqttClient c = open(b);
        assertThat(c.connect(connect).connAckReturnCode()).isZero();
        return c;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private static Map<CloseReason, Long> closed(BrokerStats stats) {
        Map<CloseReason, Long> m = new EnumMap<>(CloseReason.class);
        for (CloseReason r : CloseReason.values()) {
            m.put(r, stats.connectionsClosed(r));
        }
        return m;
    }

    private static void awaitClosedOnce(BrokerStats stats, Map<CloseReason, Long> before, CloseReason expected) {
        await().untilAsserted(() -> {
            Map<CloseReason, Long> now = closed(stats);
            for (CloseReason r : CloseReason.values()) {
                assertThat(now.get(r) - before.get(r)).as(r.name()).isEqualTo(r == expected ? 1 : 0);
            }
        });
    }

    @Test
    @DisplayName("every way a connection ends is counted under its own close reason, once")
    void everyCloseIsCountedUnderItsReason() {
        TestBroker b = broker(BrokerConfig.Limits.defaults().withConnectTimeout(CONNECT_TIMEOUT));
        BrokerStats stats = b.broker().stats();
        long openedBefore = stats.connectionsOpened();

        Map<CloseReason, Long> before = closed(stats);
        RawMqttClient leaving = connect(b, connectPacket("leaving"));
        leaving.send(RawMqttClient.disconnectPacket());
        awaitClosedOnce(stats, before, CloseReason.CLIENT_DISCONNECT);

        before = closed(stats);
        RawMqttClient twice = connect(b, connectPacket("twice"));
        twice.send(connectPacket("twice").build());
        twice.awaitClosed(PROMPTLY);
        awaitClosedOnce(stats, before, CloseReason.PROTOCOL_ERROR);

        before = closed(stats);
        connect(b, connectPacket("vanishing")).abort();
        awaitClosedOnce(stats, before, CloseReason.SOCKET_ERROR);

        before = closed(stats);
        RawMqttClient first = connect(b, connectPacket("claimed"));
        RawMqttClient second = connect(b, connectPacket("claimed"));
        first.awaitClosed(PROMPTLY);
        awaitClosedOnce(stats, before, CloseReason.TAKEN_OVER);
        before = closed(stats);
        second.send(RawMqttClient.disconnectPacket());
        awaitClosedOnce(stats, before, CloseReason.CLIENT_DISCONNECT);

        before = closed(stats);
        RawMqttClient silent = open(b);
        silent.awaitClosed(CONNECT_TIMEOUT.plus(PROMPTLY));
        awaitClosedOnce(stats, before, CloseReason.CONNECT_TIMEOUT);

        before = closed(stats);
        RawMqttClient level6 = open(b);
        assertThat(level6.connect(connectPacket("level6").protocolLevel(6)).connAckReturnCode()).isEqualTo(1);
        level6.awaitClosed(PROMPTLY);
        awaitClosedOnce(stats, before, CloseReason.CONNECT_REFUSED);

        before = closed(stats);
        RawMqttClient sleepy = connect(b, connectPacket("sleepy").keepAlive(1));
        sleepy.awaitClosed(Duration.ofMillis(1500).plus(PROMPTLY));
        awaitClosedOnce(stats, before, CloseReason.KEEP_ALIVE_TIMEOUT);

        before = closed(stats);
        connect(b, connectPacket("staying"));
        b.close();
        awaitClosedOnce(stats, before, CloseReason.SERVER_SHUTDOWN);

        long closedTotal = closed(stats).values().stream().mapToLong(Long::longValue).sum();
        assertThat(stats.connectionsOpened() - openedBefore).as("every accepted connection closed once")
                .isEqualTo(9).isEqualTo(closedTotal);
        assertThat(stats.connections()).isZero();
    }

    @Test
    @DisplayName("inflight and queued follow a persistent session through a full window, an absence and a resume, "
            + "and return to 0 when all is acknowledged")
    void inflightAndQueuedLevels() {
        TestBroker b = broker(BrokerConfig.Limits.defaults().withMaxInflight(1));
        BrokerStats stats = b.broker().stats();
        RawMqttClient sub = connect(b, connectPacket("slow-sub").cleanSession(false));
        sub.subscribeAndAwait(1, "levels/#", 1);
        RawMqttClient pub = connect(b, connectPacket("levels-pub"));
        for (int i = 1; i <= 3; i++) {
            pub.send(RawMqttClient.publish("levels/a", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false, false, i));
            pub.expect(RawMqttClient.PUBACK, PROMPTLY);
        }
        assertThat(stats.messagesReceived(1)).isEqualTo(3);

        // one sent and unacknowledged, two waiting behind the window
        RawMqttClient.Packet firstDelivery = sub.expect(RawMqttClient.PUBLISH, PROMPTLY);
        await().untilAsserted(() -> {
            assertThat(stats.inflight()).isEqualTo(1);
            assertThat(stats.queued()).isEqualTo(2);
        });

        // the client goes away: its inflight message stays in the session's inflight store, the waiting ones
        // go to the session's queue, and one more arrives while it is offline
        sub.abort();
        await().until(() -> stats.connections() == 1);
        pub.send(RawMqttClient.publish("levels/a", "m4".getBytes(StandardCharsets.UTF_8), 1, false, false, 4));
        pub.expect(RawMqttClient.PUBACK, PROMPTLY);
        await().untilAsserted(() -> {
            assertThat(stats.inflight()).isZero();
            assertThat(stats.queued()).isEqualTo(3);
        });

        // resumed: the inflight one is sent again, the queued ones wait behind the window again
        RawMqttClient back = connect(b, connectPacket("slow-sub").cleanSession(false));
        RawMqttClient.Packet resent = back.expect(RawMqttClient.PUBLISH, PROMPTLY);
        assertThat(resent.packetId()).isEqualTo(firstDelivery.packetId());
        await().untilAsserted(() -> {
            assertThat(stats.inflight()).isEqualTo(1);
            assertThat(stats.queued()).isEqualTo(3);
        });
        RawMqttClient.Packet next = resent;
        for (int i = 0; i < 4; i++) {
            back.send(RawMqttClient.puback(next.packetId()));
            if (i < 3) {
                next = back.expect(RawMqttClient.PUBLISH, PROMPTLY);
            }
        }
        await().untilAsserted(() -> {
            assertThat(stats.inflight()).isZero();
            assertThat(stats.queued()).isZero();
        });
        assertThat(stats.messagesSent(1)).as("first delivery, the re-send and three more").isEqualTo(5);
    }
}
