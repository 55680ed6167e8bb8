package dev.stratus.ingress.broker;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one broker engine. Updated from every event loop; cheap to update, read for tests and metrics. */
public final class BrokerStats {

    private final AtomicInteger connections = new AtomicInteger();
    private final LongAdder connectionsOpened = new LongAdder();
    private final LongAdder connectionsClosed = new LongAdder();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);

    public BrokerStats() {
        for (DropReason r : DropReason.values()) {
            dropped.put(r, new LongAdder());
        }
    }

    /** @return the number of connections after this one, for the maximum-connections check */
    public int connectionOpened() {
        connectionsOpened.increment();
        return connections.incrementAndGet();
    }

    public void connectionClosed() {
        connectionsClosed.increment();
        connections.decrementAndGet();
    }

    public void messageIn() {
        messagesIn.increment();
    }

    public void messageOut() {
        messagesOut.increment();
    }

    public void dropped(DropReason reason, long count) {
        if (count > 0) {
            dropped.get(reason).add(count);
        }
    }

    /** Connections open now that sent a CONNECT (accepted, or being refused). */
    public int connections() {
        return connections.get();
    }

    public long connectionsOpened() {
        return connectionsOpened.sum();
    }

    public long messagesIn() {
        return messagesIn.sum();
    }

    public long messagesOut() {
        return messagesOut.sum();
    }

    public long dropped(DropReason reason) {
        return dropped.get(reason).sum();
    }
}
