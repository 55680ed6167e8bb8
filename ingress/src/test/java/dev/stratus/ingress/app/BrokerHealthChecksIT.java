package dev.stratus.ingress.app;

import dev.stratus.ingress.broker.BrokerNode;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.transport.Listener;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The liveness and readiness decisions on a broker node of its own, taken through a graceful shutdown (which the
 * shared Quarkus application of the other tests must not go through).
 */
class BrokerHealthChecksIT {

    private final EventLoopGroup group = new NioEventLoopGroup(1);

    @AfterEach
    void shutDownLoops() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    @DisplayName("ready while the listeners are bound; not ready from the start of a graceful shutdown; "
            + "live until the event loops are shut down")
    void readinessGoesDownWhenShutdownBegins() {
        BrokerNode node = BrokerNode.embedded(BrokerConfig.forTests(), group).start();

        HealthCheckResponse ready = BrokerHealthChecks.readiness(node);
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(ready.getData()).hasValueSatisfying(d -> assertThat(d)
                .containsEntry("tcp", Integer.toString(node.port(Listener.TCP)))
                .containsEntry("ws", Integer.toString(node.port(Listener.WS)))
                .doesNotContainKeys("tls", "wss"));
        assertThat(BrokerHealthChecks.liveness(node, group).getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        node.broker().beginShutdown();
        assertThat(BrokerHealthChecks.readiness(node).getStatus()).as("draining")
                .isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(BrokerHealthChecks.liveness(node, group).getStatus()).as("still alive while draining")
                .isEqualTo(HealthCheckResponse.Status.UP);

        node.stop(Duration.ofSeconds(5));
        assertThat(BrokerHealthChecks.readiness(node).getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);

        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        assertThat(BrokerHealthChecks.liveness(node, group).getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    }

    @Test
    @DisplayName("neither live nor ready before the node is started")
    void downBeforeStart() {
        assertThat(BrokerHealthChecks.liveness(null, group).getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(BrokerHealthChecks.readiness(null).getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    }

    @Test
    @DisplayName("not ready when a configured listener is not bound")
    void notReadyWithAnUnboundListener() {
        BrokerNode node = BrokerNode.embedded(BrokerConfig.forTests(), group);  // built, not started

        HealthCheckResponse ready = BrokerHealthChecks.readiness(node);

        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(ready.getData()).hasValueSatisfying(d -> assertThat(d).containsEntry("tcp", "not bound"));
    }
}
