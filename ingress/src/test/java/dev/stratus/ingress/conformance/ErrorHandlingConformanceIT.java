package dev.stratus.ingress.conformance;

import dev.stratus.ingress.broker.BrokerNode;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.transport.Listener;
import dev.stratus.state.RetainedStore;
import dev.stratus.state.StateStores;
import dev.stratus.state.memory.MemoryBackend;
import dev.stratus.state.model.StoredMessage;
import io.netty.channel.nio.NioEventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.stratus.ingress.support.RawMqttClient.PUBACK;
import static dev.stratus.ingress.support.RawMqttClient.connectPacket;
import static dev.stratus.ingress.support.RawMqttClient.publish;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Section 4.8: a transient error while the broker processes an inbound packet. The state store is made to fail
 * storing retained messages under {@code fail/}, as a remote store would when it is unreachable for a moment.
 */
class ErrorHandlingConformanceIT {

    private static final Duration PROMPTLY = Duration.ofSeconds(2);

    private NioEventLoopGroup group;
    private BrokerNode node;

    @BeforeEach
    void startBroker() {
        StateStores memory = MemoryBackend.create();
        RetainedStore real = memory.retained();
        RetainedStore failing = (RetainedStore) Proxy.newProxyInstance(RetainedStore.class.getClassLoader(),
                new Class<?>[] {RetainedStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("put") && ((StoredMessage) args[1]).topic().startsWith("fail/")) {
                        return CompletableFuture.failedFuture(new IllegalStateException("store unreachable"));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        group = new NioEventLoopGroup(2);
        node = new BrokerNode(BrokerConfig.forTests(),
                new StateStores(memory.sessions(), memory.queues(), memory.inflight(), failing), group).start();
    }

    @AfterEach
    void stopBroker() {
        node.stop(Duration.ofSeconds(5));
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    @DisplayName("[MQTT-4.8.0-2] a store failure while handling a PUBLISH closes that connection without "
            + "acknowledging it; other connections go on")
    void transientErrorClosesTheConnection() {
        int port = node.port(Listener.TCP);
        try (RawMqttClient other = RawMqttClient.connected(port, connectPacket("bystander"));
             RawMqttClient c = RawMqttClient.connected(port, connectPacket("unlucky"))) {
            c.send(publish("ok/t", new byte[] {1}, 1, true, false, 1));
            assertThat(c.expect(PUBACK, PROMPTLY).packetId()).isEqualTo(1);
            c.send(publish("fail/t", new byte[] {1}, 1, true, false, 2));
            assertThat(c.awaitClosed(PROMPTLY)).as("no PUBACK for the message the store lost").isEmpty();

            other.send(publish("ok/t", new byte[] {2}, 1, true, false, 1));
            assertThat(other.expect(PUBACK, PROMPTLY).packetId()).isEqualTo(1);
        }
    }
}
