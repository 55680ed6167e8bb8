package dev.stratus.ingress.app;

import dev.stratus.ingress.broker.BrokerNode;
import dev.stratus.ingress.config.StratusConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Starts the broker on Quarkus's Vert.x event loops when the application starts, and drains it on shutdown. */
@ApplicationScoped
public class BrokerLifecycle {

    private static final Logger LOG = Logger.getLogger(BrokerLifecycle.class);

    private final StratusConfig config;
    private final Vertx vertx;
    private volatile BrokerNode node;

    BrokerLifecycle(StratusConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        java.util.Optional<dev.stratus.ingress.config.ClusterConfig> cluster = config.toClusterConfig();
        if (cluster.isPresent()) {
            // the Redis client runs on the same managed Vert.x as the listeners
            node = BrokerNode.clustered(config.toBrokerConfig(), cluster.get(), vertx, vertx.nettyEventLoopGroup())
                    .start();
            LOG.infof("Stratus broker started (cluster node %s, state in Redis)", cluster.get().nodeId());
        } else {
            node = BrokerNode.embedded(config.toBrokerConfig(), vertx.nettyEventLoopGroup()).start();
            LOG.info("Stratus broker started (embedded, in-memory state)");
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        BrokerNode n = node;
        if (n != null) {
            n.stop(config.shutdownGrace());
            LOG.info("Stratus broker stopped");
        }
    }

    /** The running node, for tests and health checks. */
    public BrokerNode node() {
        return node;
    }
}
