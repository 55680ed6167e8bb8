package dev.stratus.bench.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * Publishes numbered messages on one topic. QoS 0: as fast as the socket takes them (writes while the channel is
 * writable, resumes when it becomes writable again). QoS 1/2: at most {@code window} messages in flight. With a rate,
 * paced instead. All state is confined to the channel's event loop; the volatile snapshots are for the main thread.
 */
final class Publisher extends Conn {
    final int id;
    final byte[] topic;
    private final int msgSize;
    private final int batch;
    private boolean running;
    private int seq;
    private int inflight;
    private int window;
    private final int[] idSeq;
    private final boolean[] idUsed;
    private int nextId = 1;
    private boolean pumpPending;
    final BitSet acked = new BitSet();
    int ackedCount;
    int rejected;
    volatile int sentSnapshot;
    volatile int inflightSnapshot;
    volatile int ackedSnapshot;
    private long rateStart;
    private double periodNanos;

    Publisher(Opts o, String clientId, int id, String topic) {
        super(o, clientId);
        this.id = id;
        this.topic = topic.getBytes(StandardCharsets.UTF_8);
        this.msgSize = Mqtt.publishSize(this.topic.length, o.payload, o.qos, o.protocol);
        this.batch = Math.max(1, 16_384 / msgSize);
        this.idSeq = o.qos > 0 ? new int[65_536] : null;
        this.idUsed = o.qos > 0 ? new boolean[65_536] : null;
    }

    void start() {
        running = true;
        window = Math.min(o.window, receiveMaximum);
        if (o.rate > 0) {
            periodNanos = 1e9 / o.rate;
            rateStart = System.nanoTime();
            ratePump();
        } else {
            pump();
        }
    }

    void stop() {
        running = false;
        snapshot();
    }

    private void snapshot() {
        sentSnapshot = seq;
        inflightSnapshot = inflight;
        ackedSnapshot = ackedCount;
    }

    private void encodeOne(ByteBuf b) {
        int pid = 0;
        if (o.qos > 0) {
            pid = nextId;
            while (idUsed[pid]) {
                pid = pid == 65_535 ? 1 : pid + 1;
            }
            nextId = pid == 65_535 ? 1 : pid + 1;
            idUsed[pid] = true;
            idSeq[pid] = seq;
            inflight++;
        }
        Mqtt.publish(b, topic, o.qos, pid, o.protocol, o.payload, id, seq, System.nanoTime());
        seq++;
    }

    private void pump() {
        pumpPending = false;
        if (!running || !ch.isActive()) {
            return;
        }
        int loops = 0;
        while (running && ch.isWritable() && loops++ < 16) {
            int n = o.qos == 0 ? batch : Math.min(batch, window - inflight);
            if (n <= 0) {
                break;
            }
            ByteBuf b = ch.alloc().directBuffer(n * msgSize);
            for (int i = 0; i < n; i++) {
                encodeOne(b);
            }
            ch.write(b, ch.voidPromise());
        }
        ch.flush();
        snapshot();
        if (running && ch.isWritable() && (o.qos == 0 || inflight < window)) {
            ch.eventLoop().execute(this::pump);
        }
    }

    private void ratePump() {
        if (!running || !ch.isActive()) {
            return;
        }
        long now = System.nanoTime();
        long due = (long) ((now - rateStart) / periodNanos) + 1;
        boolean wrote = false;
        while (seq < due && (o.qos == 0 || inflight < window)) {
            ByteBuf b = ch.alloc().directBuffer(msgSize);
            encodeOne(b);
            ch.write(b, ch.voidPromise());
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
        snapshot();
        long next = rateStart + (long) (seq * periodNanos);
        long delay = Math.max(o.qos > 0 && inflight >= window ? 50_000 : 0, next - System.nanoTime());
        ch.eventLoop().schedule(this::ratePump, delay, TimeUnit.NANOSECONDS);
    }

    private void release(int pid, boolean ok) {
        if (!idUsed[pid]) {
            return;
        }
        idUsed[pid] = false;
        inflight--;
        if (ok) {
            acked.set(idSeq[pid]);
            ackedCount++;
        } else {
            rejected++;
        }
        pumpPending = true;
    }

    @Override
    void onPuback(int pid, int reason) {
        if (o.qos == 1) {
            release(pid, reason < 0x80);
        }
    }

    @Override
    void onPubrec(int pid, int reason) {
        if (o.qos == 2 && reason >= 0x80) {
            release(pid, false);
        }
    }

    @Override
    void onPubcomp(int pid, int reason) {
        if (o.qos == 2) {
            release(pid, reason < 0x80);
        }
    }

    @Override
    void afterRead() {
        snapshot();
        if (pumpPending && running && o.rate <= 0) {
            pump();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && running && o.rate <= 0) {
            pump();
        }
        super.channelWritabilityChanged(ctx);
    }
}
