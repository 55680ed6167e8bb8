package dev.stratus.ingress.protocol;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The CONNECT deadline [MQTT-3.1.4] and the keep-alive deadline [MQTT-3.1.2-24] of every connection, checked per
 * event loop by one periodic task instead of a scheduled task per connection: an idle connection keeps no timer
 * object (a task and its lambda, about 80 bytes), and a connect neither inserts into nor removes from the loop's
 * timer queue. A deadline is noticed at most one period after it passes; the period is a second, shorter when
 * the CONNECT timeout is (a quarter of it).
 * <p>
 * One instance per server; {@link Loop} holds the connections of one event loop and is confined to it.
 */
public final class ConnectionTimers {

    private static final long MAX_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final long connectTimeoutNanos;
    private final long periodNanos;
    private final ConcurrentHashMap<EventExecutor, Loop> loops = new ConcurrentHashMap<>();

    public ConnectionTimers(Duration connectTimeout) {
        this.connectTimeoutNanos = connectTimeout.toNanos();
        this.periodNanos = Math.max(MIN_PERIOD_NANOS, Math.min(MAX_PERIOD_NANOS, connectTimeoutNanos / 4));
    }

    /** The timers of the connections on {@code executor}; call on that executor. */
    Loop on(EventExecutor executor) {
        Loop loop = loops.get(executor);
        return loop != null ? loop : loops.computeIfAbsent(executor, Loop::new);
    }

    /** The connections of one event loop, in an array; each knows its slot, so removal is a swap with the last. */
    final class Loop {

        private final EventExecutor executor;
        private MqttConnection[] members = new MqttConnection[16];
        private int size;
        private ScheduledFuture<?> sweep;

        private Loop(EventExecutor executor) {
            this.executor = executor;
        }

        void add(MqttConnection c) {
            if (size == members.length) {
                members = Arrays.copyOf(members, size * 2);
            }
            c.timerSlot(size);
            members[size++] = c;
            if (sweep == null) {
                sweep = executor.scheduleAtFixedRate(this::sweep, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
            }
        }

        void remove(MqttConnection c) {
            int slot = c.timerSlot();
            if (slot < 0 || slot >= size || members[slot] != c) {
                return;
            }
            MqttConnection last = members[--size];
            members[slot] = last;
            last.timerSlot(slot);
            members[size] = null;
            c.timerSlot(-1);
            if (size == 0 && sweep != null) {
                sweep.cancel(false);
                sweep = null;
            }
        }

        private void sweep() {
            long now = System.nanoTime();
            // backwards: a connection that leaves during its check swaps in the last one, already checked
            for (int i = size - 1; i >= 0; i--) {
                if (i < size) {
                    members[i].checkDeadlines(now, connectTimeoutNanos);
                }
            }
        }
    }
}
