package dev.stratus.ingress.metrics;

import dev.stratus.ingress.auth.AuthResult;
import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.BrokerStats;
import dev.stratus.ingress.broker.CloseReason;
import dev.stratus.ingress.broker.DropReason;
import dev.stratus.state.RetainedStore;
import dev.stratus.state.model.TenantId;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;

/**
 * The broker's Micrometer meters: function counters and gauges over {@link BrokerStats} and the broker's state,
 * read when the registry is scraped. Nothing here runs on the hot path.
 * <p>
 * Every meter carries a {@code tenant} tag. Its values come from the tenants the broker is configured with (today
 * only {@code default}), never from client input, so its cardinality is bounded; so are all other tags (enums).
 * Prometheus names: dots become underscores and counters end in {@code _total}, e.g.
 * {@code stratus_messages_received_total{qos="1",tenant="default"}}.
 */
public final class BrokerMeterBinder implements MeterBinder {

    private final Broker broker;
    private final BrokerStats stats;
    private final Tags tenantTags;
    private final RetainedCount retained;

    public BrokerMeterBinder(Broker broker) {
        this.broker = broker;
        this.stats = broker.stats();
        this.tenantTags = Tags.of("tenant", broker.tenant().value());
        this.retained = new RetainedCount(broker.stores().retained(), broker.tenant());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "stratus.connections", "Open MQTT connections that sent CONNECT", stats, BrokerStats::connections);
        counter(registry, "stratus.connections.opened", "Network connections the listeners accepted", null,
                Tags.empty(), s -> s.connectionsOpened());
        for (CloseReason reason : CloseReason.values()) {
            counter(registry, "stratus.connections.closed", "Network connections closed, by reason", null,
                    Tags.of("reason", tag(reason)), s -> s.connectionsClosed(reason));
        }
        for (int qos = 0; qos <= 2; qos++) {
            int q = qos;
            counter(registry, "stratus.messages.received", "PUBLISH packets received from clients", null,
                    Tags.of("qos", Integer.toString(q)), s -> s.messagesReceived(q));
            counter(registry, "stratus.messages.sent", "PUBLISH packets sent to clients", null,
                    Tags.of("qos", Integer.toString(q)), s -> s.messagesSent(q));
        }
        counter(registry, "stratus.payload.received", "Payload bytes of the PUBLISH packets received from clients",
                "bytes", Tags.empty(), BrokerStats::bytesReceived);
        counter(registry, "stratus.payload.sent", "Payload bytes of the PUBLISH packets sent to clients",
                "bytes", Tags.empty(), BrokerStats::bytesSent);
        for (DropReason reason : DropReason.values()) {
            counter(registry, "stratus.messages.dropped", "Messages not delivered (or not accepted), by reason", null,
                    Tags.of("reason", tag(reason)), s -> s.dropped(reason));
        }
        for (AuthResult result : AuthResult.values()) {
            counter(registry, "stratus.auth.results", "Authentications of CONNECT packets, by result", null,
                    Tags.of("result", tag(result)), s -> s.authResults(result));
        }
        counter(registry, "stratus.auth.results", "Authentications of CONNECT packets, by result", null,
                Tags.of("result", "error"), BrokerStats::authenticationErrors);
        gauge(registry, "stratus.messages.inflight",
                "QoS 1/2 messages sent to connected clients and not acknowledged yet", stats, BrokerStats::inflight);
        gauge(registry, "stratus.messages.queued",
                "Messages waiting for a session: offline in the store, or beyond a connection's inflight window",
                stats, BrokerStats::queued);
        gauge(registry, "stratus.retained.messages", "Retained messages (expired ones until a read removes them)",
                retained, RetainedCount::value);
        gauge(registry, "stratus.subscriptions", "Subscriptions (session, topic filter) on this node",
                broker, Broker::subscriptionCount);
        gauge(registry, "stratus.sessions", "Sessions on this node, connected or not",
                broker, b -> b.sessions().size());
    }

    private <T> void gauge(MeterRegistry registry, String name, String description, T obj, ToDoubleFunction<T> f) {
        Gauge.builder(name, obj, f).description(description).tags(tenantTags).strongReference(true)
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, String baseUnit, Tags tags,
                         ToDoubleFunction<BrokerStats> f) {
        FunctionCounter.builder(name, stats, f).description(description).baseUnit(baseUnit)
                .tags(tenantTags).tags(tags).register(registry);
    }

    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The retained-message count without ever blocking the scraping thread: each read starts one count in the
     * store (unless one is running) and answers the latest result. The in-memory store answers at once, so its
     * value is current; a remote store's is at most one scrape old.
     */
    static final class RetainedCount {

        private final RetainedStore store;
        private final TenantId tenant;
        private final AtomicBoolean counting = new AtomicBoolean();
        private volatile long last;

        RetainedCount(RetainedStore store, TenantId tenant) {
            this.store = store;
            this.tenant = tenant;
        }

        double value() {
            if (counting.compareAndSet(false, true)) {
                CompletableFuture<Long> count;
                try {
                    count = store.count(tenant).toCompletableFuture();
                } catch (RuntimeException e) {
                    counting.set(false);
                    return last;
                }
                count.whenComplete((n, error) -> {
                    if (error == null && n != null) {
                        last = n;
                    }
                    counting.set(false);
                });
            }
            return last;
        }
    }
}
