package dev.stratus.ingress.metrics;

import dev.stratus.state.redis.RedisCallObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Redis command latency in cluster mode: one Micrometer timer per store operation and outcome,
 * {@code stratus_redis_command_duration_seconds{operation, outcome}}. The operations are a fixed set named in the
 * state module's code (e.g. {@code queues.append}), never client input, so the number of series is bounded. Calls
 * made before a registry is bound are not recorded.
 */
public final class RedisCallTimers implements RedisCallObserver {

    static final String NAME = "stratus.redis.command.duration";

    private volatile MeterRegistry registry;
    private final Map<String, Timer> succeeded = new ConcurrentHashMap<>();
    private final Map<String, Timer> failed = new ConcurrentHashMap<>();

    public void bindTo(MeterRegistry meterRegistry) {
        this.registry = meterRegistry;
    }

    @Override
    public void completed(String operation, long nanos, boolean ok) {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        Map<String, Timer> timers = ok ? succeeded : failed;
        Timer timer = timers.get(operation);
        if (timer == null) {
            timer = timers.computeIfAbsent(operation, op -> Timer.builder(NAME)
                    .description("Redis calls of the state stores, from the call to the answer")
                    .tag("operation", op)
                    .tag("outcome", ok ? "success" : "failure")
                    .register(r));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }
}
