package dev.stratus.ingress.support;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.BrokerNode;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.transport.Listener;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;

import java.time.Duration;

/**
 * A real broker node on free ports of 127.0.0.1 with in-memory state, for integration tests. Two event loops,
 * as on the 2-core machines the broker is measured on, so that cross-loop delivery is exercised.
 */
public final class TestBroker implements AutoCloseable {

    private final EventLoopGroup group = new NioEventLoopGroup(2);
    private final BrokerNode node;

    private TestBroker(BrokerConfig config) {
        this.node = BrokerNode.embedded(config, group).start();
    }

    private TestBroker(BrokerConfig config, java.util.function.LongSupplier clock) {
        this.node = new BrokerNode(config, dev.stratus.state.memory.MemoryBackend.create(), group, clock).start();
    }

    /** A broker whose message-expiry clock is {@code clock} (epoch millis), so that a test can move time on. */
    public static TestBroker start(BrokerConfig config, java.util.function.LongSupplier clock) {
        return new TestBroker(config, clock);
    }

    public static TestBroker start() {
        return new TestBroker(BrokerConfig.forTests());
    }

    public static TestBroker start(BrokerConfig config) {
        return new TestBroker(config);
    }

    public Broker broker() {
        return node.broker();
    }

    public BrokerNode node() {
        return node;
    }

    public int tcpPort() {
        return node.port(Listener.TCP);
    }

    public int port(Listener listener) {
        return node.port(listener);
    }

    /** tcp://127.0.0.1:port */
    public String tcpUri() {
        return "tcp://127.0.0.1:" + tcpPort();
    }

    public String wsUri() {
        return "ws://127.0.0.1:" + node.port(Listener.WS) + "/mqtt";
    }

    @Override
    public void close() {
        node.stop(Duration.ofSeconds(5));
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
