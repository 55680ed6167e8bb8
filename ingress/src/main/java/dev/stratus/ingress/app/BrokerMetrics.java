package dev.stratus.ingress.app;

import dev.stratus.ingress.broker.BrokerNode;
import dev.stratus.ingress.metrics.BrokerMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/**
 * Registers the broker's meters ({@link BrokerMeterBinder}) with Quarkus's Micrometer registry, which serves them
 * at {@code /q/metrics}. Observes start-up after {@link BrokerLifecycle} (default observer priority) has started
 * the node.
 */
@ApplicationScoped
public class BrokerMetrics {

    private final BrokerLifecycle lifecycle;
    private final MeterRegistry registry;

    BrokerMetrics(BrokerLifecycle lifecycle, MeterRegistry registry) {
        this.lifecycle = lifecycle;
        this.registry = registry;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        BrokerNode node = lifecycle.node();
        if (node == null) {
            throw new IllegalStateException("the broker node must be started before its meters are registered");
        }
        new BrokerMeterBinder(node.broker()).bindTo(registry);
        if (node.redisCallTimers() != null) {
            node.redisCallTimers().bindTo(registry);
        }
    }
}
