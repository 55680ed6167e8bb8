package dev.stratus.ingress.sys;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.BrokerStats;
import dev.stratus.ingress.broker.DropReason;
import dev.stratus.state.model.StoredMessage;
import io.netty.channel.EventLoop;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the broker's statistics under {@code $SYS/broker/...} in the style of Mosquitto: retained QoS 0
 * messages with plain decimal payloads, so that a new subscriber gets the current values at once. It serves the
 * tenant of its {@link Broker} (one per tenant the engine serves).
 * <p>
 * Runs on one event loop every {@code interval}; a value is published again only when it changed (the uptime
 * every time). Everything it reads is a counter or a non-blocking store call, so it never blocks the loop. Its
 * messages go through {@link Broker#publishInternal}: they count as sent to subscribers, but not as received,
 * and the retained count leaves them out, so that they do not inflate the statistics they report.
 * <p>
 * Threads: the tick, the retained count's continuation and the map of published values are confined to the
 * event loop; {@link #start} and {@link #stop} may be called from any thread.
 */
public final class SysTopicsPublisher {

    private static final Logger LOG = Logger.getLogger(SysTopicsPublisher.class);

    public static final String PREFIX = "$SYS/broker/";
    public static final String VERSION = PREFIX + "version";
    public static final String UPTIME = PREFIX + "uptime";
    public static final String CLIENTS_CONNECTED = PREFIX + "clients/connected";
    public static final String CLIENTS_TOTAL = PREFIX + "clients/total";
    public static final String MESSAGES_RECEIVED = PREFIX + "messages/received";
    public static final String MESSAGES_SENT = PREFIX + "messages/sent";
    public static final String MESSAGES_DROPPED = PREFIX + "publish/messages/dropped";
    public static final String SUBSCRIPTIONS_COUNT = PREFIX + "subscriptions/count";
    public static final String RETAINED_COUNT = PREFIX + "retained messages/count";
    public static final String STORE_MESSAGES_COUNT = PREFIX + "store/messages/count";
    public static final String BYTES_RECEIVED = PREFIX + "bytes/received";
    public static final String BYTES_SENT = PREFIX + "bytes/sent";

    private final Broker broker;
    private final EventLoop loop;
    private final Duration interval;
    /** Last payload published per topic: also the $SYS topics this publisher holds in the retained store. */
    private final Map<String, String> published = new HashMap<>();
    private long startedAtNanos;
    private ScheduledFuture<?> task;
    private volatile boolean running;

    /**
     * @param interval how often to publish; zero disables (nothing at all is published, not even the version)
     */
    public SysTopicsPublisher(Broker broker, EventLoop loop, Duration interval) {
        this.broker = broker;
        this.loop = loop;
        this.interval = interval;
    }

    /** "stratus" and the version from the jar's manifest, or "dev" when run from classes (tests, IDE). */
    public static String version() {
        Package p = SysTopicsPublisher.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return "stratus " + (v == null || v.isBlank() ? "dev" : v);
    }

    public synchronized void start() {
        if (interval.isZero() || task != null) {
            return;
        }
        running = true;
        startedAtNanos = System.nanoTime();
        long periodNanos = interval.toNanos();
        task = loop.scheduleAtFixedRate(this::tick, 0, periodNanos, TimeUnit.NANOSECONDS);
    }

    public synchronized void stop() {
        running = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void tick() {
        if (!running) {
            return;
        }
        try {
            BrokerStats stats = broker.stats();
            List<CompletionStage<?>> writes = new ArrayList<>();
            publish(VERSION, version(), writes); // once: it never changes
            publish(UPTIME, (System.nanoTime() - startedAtNanos) / 1_000_000_000L + " seconds", writes);
            publish(CLIENTS_CONNECTED, stats.connections(), writes);
            publish(CLIENTS_TOTAL, broker.sessions().size(), writes);
            publish(MESSAGES_RECEIVED, stats.messagesIn(), writes);
            publish(MESSAGES_SENT, stats.messagesOut(), writes);
            // as Mosquitto: messages dropped by queue and inflight limits (not: no subscriber, offline QoS 0)
            publish(MESSAGES_DROPPED,
                    stats.dropped(DropReason.QUEUE_FULL) + stats.dropped(DropReason.SLOW_SUBSCRIBER), writes);
            publish(SUBSCRIPTIONS_COUNT, broker.subscriptionCount(), writes);
            publish(STORE_MESSAGES_COUNT, stats.queued(), writes);
            publish(BYTES_RECEIVED, stats.bytesReceived(), writes);
            publish(BYTES_SENT, stats.bytesSent(), writes);
            // counted once this tick's retained writes are done, so that the $SYS topics can be left out exactly
            CompletableFuture.allOf(writes.stream().map(CompletionStage::toCompletableFuture)
                            .toArray(CompletableFuture[]::new))
                    .thenCompose(v -> broker.stores().retained().count(broker.tenant()))
                    .whenComplete((count, error) -> onLoop(() -> publishRetainedCount(count, error)));
        } catch (RuntimeException e) {
            // an exception would end the periodic task for good: log it and try again at the next tick
            LOG.warnf(e, "could not publish $SYS topics");
        }
    }

    private void publishRetainedCount(Long count, Throwable error) {
        if (!running) {
            return;
        }
        if (error != null) {
            LOG.debugf(error, "could not count retained messages for $SYS");
            return;
        }
        // the $SYS topics in the store are those published so far (this one only after its first time);
        // clients cannot publish to $SYS, so every other retained message is a client's
        publish(RETAINED_COUNT, Math.max(0, count - published.size()), null);
    }

    private void publish(String topic, long value, List<CompletionStage<?>> writes) {
        publish(topic, Long.toString(value), writes);
    }

    private void publish(String topic, String payload, List<CompletionStage<?>> writes) {
        if (payload.equals(published.get(topic))) {
            return;
        }
        published.put(topic, payload);
        CompletionStage<?> w = broker.publishInternal(
                new StoredMessage(topic, payload.getBytes(StandardCharsets.UTF_8), 0, true));
        if (writes != null) {
            writes.add(w);
        }
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }
}
