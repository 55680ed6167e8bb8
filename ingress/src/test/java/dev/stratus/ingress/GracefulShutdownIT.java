package dev.stratus.ingress;

import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.TestBroker;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.TenantId;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class GracefulShutdownIT {

    @Test
    void shutdownStopsAcceptingClosesClientsAndKeepsEveryUnacknowledgedMessageInTheStore() throws Exception {
        TestBroker broker = TestBroker.start(BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withMaxInflight(1)));
        int port = broker.tcpPort();
        CountDownLatch neverReleased = new CountDownLatch(1);
        AtomicBoolean lost = new AtomicBoolean();
        CountDownLatch firstArrived = new CountDownLatch(1);
        MqttClient slow = new MqttClient(broker.tcpUri(), "slow", new MemoryPersistence());
        slow.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.set(true);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                firstArrived.countDown();
                neverReleased.await(20, TimeUnit.SECONDS); // never acknowledges while the test runs
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions persistent = new MqttConnectOptions();
        persistent.setCleanSession(false);
        persistent.setAutomaticReconnect(false);
        slow.connect(persistent);
        slow.subscribe("jobs/#", 1);

        MqttClient willer = new MqttClient(broker.tcpUri(), "willer", new MemoryPersistence());
        MqttConnectOptions withWill = new MqttConnectOptions();
        withWill.setWill("status/willer", "gone".getBytes(), 1, true);
        willer.connect(withWill);

        MqttClient publisher = new MqttClient(broker.tcpUri(), "publisher", new MemoryPersistence());
        publisher.connect();
        for (int i = 0; i < 5; i++) {
            publisher.publish("jobs/" + i, ("job " + i).getBytes(), 1, false);
        }
        assertThat(firstArrived.await(5, TimeUnit.SECONDS)).isTrue();

        broker.node().stop(Duration.ofSeconds(5));

        // stops accepting (retried for a few seconds: twice in about ten full runs on a loaded machine one connect
        // right after the stop succeeded; cause not pinned down, a TCP self-connect to a free port of the ephemeral
        // range being one known way; a listener that stays open still fails this)
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class));
        // closes its connections
        await().atMost(Duration.ofSeconds(5)).untilTrue(lost);
        // nothing acknowledged to the publisher is lost: 1 inflight (sent, unacknowledged) + 4 queued
        SessionKey key = new SessionKey(TenantId.DEFAULT, "slow");
        var stores = broker.broker().stores();
        int inflight = stores.inflight().list(key).toCompletableFuture().get().size();
        int queued = stores.queues().size(key).toCompletableFuture().get();
        assertThat(inflight).isEqualTo(1);
        assertThat(queued).isEqualTo(4);
        assertThat(stores.sessions().find(key).toCompletableFuture().get()).isPresent();
        // a shutdown is not a client failure: no will is published
        assertThat(stores.retained().get(TenantId.DEFAULT, "status/willer").toCompletableFuture().get()).isEmpty();

        neverReleased.countDown();
        closeQuietly(slow, willer, publisher);
        broker.close();
    }

    private static void closeQuietly(MqttClient... clients) {
        for (MqttClient c : clients) {
            try {
                c.close(true);
            } catch (Exception ignored) {
                // already disconnected by the shutdown
            }
        }
    }
}
