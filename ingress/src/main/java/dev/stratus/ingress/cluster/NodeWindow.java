package dev.stratus.ingress.cluster;

import dev.stratus.ingress.broker.Backpressure;
import dev.stratus.ingress.broker.Congestion;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Flow control towards one other node: the bytes of batches with forwarded messages sent to it and not yet credited
 * back. The receiving node credits a batch once it has delivered its messages to its connections, and holds the
 * credit while one of them cannot keep up; past {@code limit} bytes outstanding this window is congested, and the
 * publishers whose messages go there stop reading until the credit is back to half the limit. So a receiving node
 * that is slower than its publishers slows them down (as a subscriber on the same node would) instead of dropping
 * QoS 0 messages, and no more than about {@code limit} bytes wait for it in Redis (which disconnects a subscriber
 * whose output buffer grows past its pub/sub limit, losing all of it).
 * <p>
 * Credits that never come (the node died, or its inbox lost Redis with batches in its buffer) would keep the window
 * shut: after the give-up time congested without a break it counts as stuck, publishers no longer wait for it, and
 * the next batch starts the count again. Thread-safe.
 */
final class NodeWindow implements Backpressure {

    private final long limit;
    private final Congestion congestion;
    private final AtomicLong outstanding = new AtomicLong();

    /**
     * @param limit        bytes outstanding past which the window is congested
     * @param giveUpMillis after this long congested without a break, the credits count as lost
     */
    NodeWindow(long limit, long giveUpMillis) {
        this.limit = limit;
        this.congestion = new Congestion(giveUpMillis);
    }

    /** A batch of {@code bytes} with forwarded messages went to the node. */
    void sent(long bytes) {
        if (congestion.isStuck()) {
            outstanding.set(0); // the credits of what was sent before are lost: counted afresh
            congestion.set(false);
        }
        if (outstanding.addAndGet(bytes) > limit) {
            congestion.set(true);
        }
    }

    /** The node took {@code bytes} (or they are lost: nobody received them). */
    void credited(long bytes) {
        long now = outstanding.addAndGet(-bytes);
        if (now < 0) {
            outstanding.compareAndSet(now, 0); // credits of batches sent before a reset
            now = 0;
        }
        if (now <= limit / 2) {
            congestion.set(false);
            if (outstanding.get() > limit) {
                congestion.set(true); // a batch sent meanwhile filled it again
            }
        }
    }

    long outstanding() {
        return outstanding.get();
    }

    @Override
    public boolean isCongested() {
        return congestion.isCongested();
    }

    @Override
    public boolean awaitUncongested(Runnable wake) {
        return congestion.awaitUncongested(wake);
    }
}
