package dev.stratus.ingress.broker;

import dev.stratus.ingress.auth.AclAuthorizer;
import dev.stratus.ingress.auth.StaticAuthenticator;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.sys.SysTopicsPublisher;
import dev.stratus.ingress.transport.Listener;
import dev.stratus.ingress.transport.MqttServer;
import dev.stratus.state.StateStores;
import dev.stratus.state.memory.MemoryBackend;
import io.netty.channel.EventLoopGroup;

import java.time.Duration;

/**
 * A broker engine with its listeners: what one process (or one test) runs. Built from plain values; Quarkus
 * builds one at start-up, tests build as many as they like.
 */
public final class BrokerNode implements AutoCloseable {

    private final Broker broker;
    private final MqttServer server;
    private final SysTopicsPublisher sysTopics;

    public BrokerNode(BrokerConfig config, StateStores stores, EventLoopGroup group) {
        this(config, stores, group, System::currentTimeMillis);
    }

    /** @param clock epoch milliseconds, for message expiry; tests pass one they can move forward */
    public BrokerNode(BrokerConfig config, StateStores stores, EventLoopGroup group, java.util.function.LongSupplier clock) {
        this.broker = new Broker(config, stores,
                new StaticAuthenticator(config.auth().allowAnonymous(), config.auth().users()),
                AclAuthorizer.fromConfig(config.auth().aclRules(), config.auth().aclDefaultAllow()),
                // SCRAM-SHA-256 authenticates the same static users without sending their passwords
                config.auth().users().isEmpty() ? java.util.List.of()
                        : java.util.List.of(new dev.stratus.ingress.auth.ScramSha256Authenticator(config.auth().users())),
                clock);
        this.server = new MqttServer(broker, group);
        this.sysTopics = new SysTopicsPublisher(broker, group.next(), config.sysInterval());
    }

    /** An embedded node: in-memory state. */
    public static BrokerNode embedded(BrokerConfig config, EventLoopGroup group) {
        return new BrokerNode(config, MemoryBackend.create(), group);
    }

    public BrokerNode start() {
        server.start();
        sysTopics.start();
        return this;
    }

    public Broker broker() {
        return broker;
    }

    public int port(Listener listener) {
        return server.port(listener);
    }

    public int openConnections() {
        return server.openConnections();
    }

    public void stop(Duration grace) {
        sysTopics.stop();
        server.stop(grace);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
