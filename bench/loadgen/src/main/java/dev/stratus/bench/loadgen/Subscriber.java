package dev.stratus.bench.loadgen;

import io.netty.buffer.ByteBuf;
import java.util.BitSet;
import org.HdrHistogram.Histogram;

/** Subscribes to one filter and checks every message: unique per publisher sequence, duplicate, out of order. */
final class Subscriber extends Conn {
    static final class Track {
        final BitSet seen = new BitSet();
        int max = -1;
        long unique;
    }

    final String filter;
    /** Indexed by publisher id; null for publishers this subscriber does not expect. */
    final Track[] tracks;
    private final Flow flow;
    final Histogram latency;
    long unique;
    long dups;
    long outOfOrder;
    long foreign;
    volatile long uniqueSnapshot;

    Subscriber(Opts o, String clientId, String filter, int publisherCount, int[] expectedPublishers, Flow flow,
               boolean recordLatency) {
        super(o, clientId);
        this.filter = filter;
        this.flow = flow;
        this.tracks = new Track[publisherCount];
        for (int p : expectedPublishers) {
            tracks[p] = new Track();
        }
        this.latency = recordLatency ? new Histogram(60_000_000_000L, 3) : null;
    }

    @Override
    void onConnack() {
        ByteBuf b = ctx.alloc().buffer(64);
        Mqtt.subscribe(b, 1, filter, o.qos, o.protocol);
        ctx.writeAndFlush(b);
    }

    @Override
    void onSuback(int grantedQos) {
        if (grantedQos != o.qos) {
            fail("granted QoS " + grantedQos + " instead of " + o.qos);
        }
        ready.complete(this);
    }

    @Override
    void onPublish(ByteBuf in, int off, int len, boolean dup) {
        if (len < Mqtt.HEADER_BYTES) {
            foreign++;
            return;
        }
        int pub = in.getInt(off);
        int seq = (int) in.getLong(off + 4);
        if (latency != null && flow.measuring) {
            long d = System.nanoTime() - in.getLong(off + 12);
            latency.recordValue(Math.min(Math.max(d, 0), 60_000_000_000L));
        }
        Track t = pub >= 0 && pub < tracks.length ? tracks[pub] : null;
        if (t == null) {
            foreign++;
            return;
        }
        if (t.seen.get(seq)) {
            dups++;
            return;
        }
        t.seen.set(seq);
        t.unique++;
        unique++;
        if (seq < t.max) {
            outOfOrder++;
        } else {
            t.max = seq;
        }
    }

    @Override
    void afterRead() {
        uniqueSnapshot = unique;
    }
}
