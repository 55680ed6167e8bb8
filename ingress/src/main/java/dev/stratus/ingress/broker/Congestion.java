package dev.stratus.ingress.broker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Back-pressure from one receiver to the publishers that feed it: a subscriber, or another cluster node. A
 * subscriber's event loop marks its outbound congested (socket buffer past its high-water mark, or QoS 1/2
 * overflow queue half full) and clear again (below the low-water mark, queue a quarter full); a publisher that
 * routed a message to a congested subscriber stops reading until it is woken here. Publishers slow down instead of the broker dropping. A
 * subscriber that stays congested longer than the give-up time is treated as stuck: publishers stop waiting
 * for it, so one client that stopped reading cannot stall everybody else.
 * <p>
 * Thread-safe: the flag is written on the receiver's loop, read and waited on from any publisher's loop.
 */
public final class Congestion implements Backpressure {

    private static final VarHandle WAITERS;

    static {
        try {
            WAITERS = MethodHandles.lookup().findVarHandle(Congestion.class, "waiters", Queue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long giveUpNanos;
    private volatile boolean congested;
    private volatile long congestedSinceNanos;
    /** Publishers waiting for the congestion to clear; created by the first one (most subscribers never have one). */
    private volatile Queue<Runnable> waiters;

    /**
     * @param giveUpMillis after this long congested without a break, the subscriber counts as stuck: publishers
     *                     no longer wait for it, and what it cannot take is dropped (and counted) instead
     */
    public Congestion(long giveUpMillis) {
        this.giveUpNanos = giveUpMillis * 1_000_000L;
    }

    @Override
    public boolean isCongested() {
        return congested && System.nanoTime() - congestedSinceNanos < giveUpNanos;
    }

    public void set(boolean nowCongested) {
        if (nowCongested) {
            if (!congested) {
                congestedSinceNanos = System.nanoTime();
                congested = true;
            }
        } else {
            congested = false;
            Queue<Runnable> w = waiters;
            if (w != null && !w.isEmpty()) {
                wakeWhileClear();
            }
        }
    }

    /**
     * True once congested for longer than the give-up time without a break: publishers no longer wait for this
     * subscriber, so what it cannot take has to be dropped (and counted) rather than held.
     */
    public boolean isStuck() {
        return congested && System.nanoTime() - congestedSinceNanos >= giveUpNanos;
    }

    /**
     * Registers {@code wake} to run (on the thread that clears the congestion) when congestion clears.
     *
     * @return true when {@code wake} will run or has run; false when congestion had already cleared and the
     *         caller need not wait
     */
    @Override
    public boolean awaitUncongested(Runnable wake) {
        Queue<Runnable> w = waiters();
        w.add(wake);
        if (!isCongested() && w.remove(wake)) {
            return false;
        }
        return true;
    }

    /**
     * Wakes the waiters of a clearing, but stops as soon as it is congested again. A woken publisher reads on,
     * may congest this subscriber again and register a new waiter within microseconds, while this loop is still
     * running (typically when the waking thread lost its CPU to the woken one): woken at once, it would read on
     * although congested, one message per round trip, and the subscriber's queue would overflow with messages
     * the publisher had been acknowledged. Whoever is left is woken by the next clearing (every setting goes
     * with a drain that clears again once there is room) or, at the latest, by its own pause timeout.
     */
    private void wakeWhileClear() {
        Queue<Runnable> w = waiters;
        Runnable r;
        while (!congested && (r = w.poll()) != null) {
            r.run();
        }
    }

    /** Wakes every waiter: when the subscriber goes away. */
    public void wakeAll() {
        Queue<Runnable> w = waiters;
        Runnable r;
        while (w != null && (r = w.poll()) != null) {
            r.run();
        }
    }

    @SuppressWarnings("unchecked")
    private Queue<Runnable> waiters() {
        Queue<Runnable> w = waiters;
        if (w == null) {
            w = new ConcurrentLinkedQueue<>();
            if (!WAITERS.compareAndSet(this, null, w)) {
                w = waiters;
            }
        }
        return w;
    }
}
