package dev.stratus.ingress.app;

import dev.stratus.ingress.broker.BrokerNode;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.transport.Listener;
import io.netty.channel.EventLoopGroup;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The broker's health checks, served at {@code /q/health/live} and {@code /q/health/ready}. The decisions are
 * plain static methods over a node, so that they are tested on any node.
 */
public final class BrokerHealthChecks {

    static final String LIVENESS = "stratus-broker";
    static final String READINESS = "stratus-mqtt-listeners";

    private BrokerHealthChecks() {
    }

    /** UP while the broker node is started and its event loops are not shut down. */
    static HealthCheckResponse liveness(BrokerNode node, EventLoopGroup group) {
        HealthCheckResponseBuilder r = HealthCheckResponse.named(LIVENESS);
        if (node == null) {
            return r.down().withData("reason", "not started").build();
        }
        if (group.isShuttingDown()) {
            return r.down().withData("reason", "event loops shut down").build();
        }
        return r.up().build();
    }

    /**
     * UP when every configured MQTT listener is bound and the broker is not shutting down (DOWN while it drains,
     * so that a load balancer sends no new clients), and, in cluster mode, while Redis cannot be reached (the node
     * keeps serving the clients it has meanwhile).
     */
    static HealthCheckResponse readiness(BrokerNode node) {
        HealthCheckResponseBuilder r = HealthCheckResponse.named(READINESS);
        if (node == null) {
            return r.down().withData("reason", "not started").build();
        }
        if (node.broker().isShuttingDown()) {
            return r.down().withData("reason", "shutting down").build();
        }
        BrokerConfig config = node.broker().config();
        boolean up = true;
        for (Listener listener : Listener.values()) {
            int configured = configuredPort(config, listener);
            if (configured < 0) {
                continue;
            }
            int port = node.port(listener);
            r.withData(listener.toString(), port > 0 ? Integer.toString(port) : "not bound");
            up &= port > 0;
        }
        if (node.cluster() != null) {
            boolean clusterReady = node.cluster().isReady();
            r.withData("cluster", clusterReady ? "connected" : "Redis unreachable");
            up &= clusterReady;
        }
        return r.status(up).build();
    }

    /** The port a listener is configured with, -1 when it is not to be opened. */
    private static int configuredPort(BrokerConfig config, Listener listener) {
        return switch (listener) {
            case TCP -> config.tcpPort();
            case WS -> config.wsPort();
            case TLS -> config.tls() == null ? -1 : config.tlsPort();
            case WSS -> config.tls() == null ? -1 : config.wssPort();
        };
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {

        private final BrokerLifecycle lifecycle;
        private final Vertx vertx;

        Live(BrokerLifecycle lifecycle, Vertx vertx) {
            this.lifecycle = lifecycle;
            this.vertx = vertx;
        }

        @Override
        public HealthCheckResponse call() {
            return liveness(lifecycle.node(), vertx.nettyEventLoopGroup());
        }
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {

        private final BrokerLifecycle lifecycle;

        Ready(BrokerLifecycle lifecycle) {
            this.lifecycle = lifecycle;
        }

        @Override
        public HealthCheckResponse call() {
            return readiness(lifecycle.node());
        }
    }
}
