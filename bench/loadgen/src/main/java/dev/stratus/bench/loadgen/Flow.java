package dev.stratus.bench.loadgen;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** fan-in, fan-out, pairs and latency: publishers and subscribers with every message counted. */
final class Flow {
    volatile boolean measuring;
    /** False when the drain deadline passed while messages were still arriving: "lost" may then be in transit. */
    private boolean drainedAll;

    static int def(int v, int d) {
        return v > 0 ? v : d;
    }

    int run(Opts o) throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        String base = o.topicPrefix + "/" + run + "/";
        List<Publisher> pubs = new ArrayList<>();
        List<Subscriber> subs = new ArrayList<>();
        switch (o.scenario) {
            case "fan-in" -> {
                int n = def(o.publishers, 10);
                int m = def(o.subscribers, 1);
                int[] all = range(n);
                for (int i = 0; i < m; i++) {
                    subs.add(new Subscriber(o, "lg-" + run + "-s" + i, base + "fanin/#", n, all, this, false));
                }
                for (int i = 0; i < n; i++) {
                    pubs.add(new Publisher(o, "lg-" + run + "-p" + i, i, base + "fanin/p" + i));
                }
            }
            case "fan-out" -> {
                int n = def(o.publishers, 1);
                int m = def(o.subscribers, 100);
                int[] all = range(n);
                for (int i = 0; i < m; i++) {
                    subs.add(new Subscriber(o, "lg-" + run + "-s" + i, base + "fanout/t", n, all, this, false));
                }
                for (int i = 0; i < n; i++) {
                    pubs.add(new Publisher(o, "lg-" + run + "-p" + i, i, base + "fanout/t"));
                }
            }
            case "pairs" -> {
                int k = def(o.pairs, o.qos == 2 ? 10 : 50);
                for (int i = 0; i < k; i++) {
                    subs.add(new Subscriber(o, "lg-" + run + "-s" + i, base + "pairs/" + i, k, new int[] {i}, this,
                            false));
                    pubs.add(new Publisher(o, "lg-" + run + "-p" + i, i, base + "pairs/" + i));
                }
            }
            case "latency" -> {
                if (o.rate <= 0) {
                    o.rate = 5000;
                }
                subs.add(new Subscriber(o, "lg-" + run + "-s0", base + "latency", 1, new int[] {0}, this, true));
                pubs.add(new Publisher(o, "lg-" + run + "-p0", 0, base + "latency"));
            }
            default -> throw new IllegalArgumentException("unknown scenario " + o.scenario);
        }
        System.out.printf(Locale.ROOT, "%s: MQTT %s QoS %d, %d publisher(s) -> %d subscriber(s), payload %d B%s%s, "
                        + "warm-up %.1fs + %.1fs, 2 x %d %s threads, %s:%d%n",
                o.scenario, o.protocol == 5 ? "5" : "3.1.1", o.qos, pubs.size(), subs.size(), o.payload,
                o.qos > 0 ? ", window " + o.window : "", o.rate > 0 ? ", " + o.rate + " msg/s" : "",
                o.warmupNanos / 1e9, o.durationNanos / 1e9, o.threads, Net.transport(), o.host, o.port);
        Main.watchdog(o.timeoutNanos);
        // publishers and subscribers on separate event loops, so that publishers pumping as fast as the broker
        // accepts never delay the subscribers' reads (and so the broker's back-pressure) inside the generator
        Net subNet = new Net(o.threads);
        Net net = new Net(o.threads);
        try {
            connectAll(subNet, o, subs, "subscribers");
            connectAll(net, o, pubs, "publishers");
            for (Publisher p : pubs) {
                p.ch.eventLoop().execute(p::start);
            }
            long t0 = System.nanoTime();
            sleepUntil(t0 + o.warmupNanos);
            long r1 = received(subs);
            long s1 = sent(pubs);
            long w1 = System.nanoTime();
            measuring = true;
            sleepUntil(w1 + o.durationNanos);
            measuring = false;
            long r2 = received(subs);
            long s2 = sent(pubs);
            long w2 = System.nanoTime();
            for (Publisher p : pubs) {
                p.ch.eventLoop().execute(p::stop);
            }
            Thread.sleep(20);
            // drain: until every sent message arrived and nothing is in flight, or no progress for 3 s
            long deadline = System.nanoTime() + o.drainNanos;
            long last = -1;
            long lastChange = System.nanoTime();
            while (System.nanoTime() < deadline) {
                long rec = received(subs);
                long inflight = 0;
                for (Publisher p : pubs) {
                    inflight += p.inflightSnapshot;
                }
                if (inflight == 0 && rec >= expected(subs, pubs)) {
                    break;
                }
                if (rec + inflight * 1_000_003L != last) {
                    last = rec + inflight * 1_000_003L;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > 3_000_000_000L) {
                    break;
                }
                Thread.sleep(20);
            }
            long drainEnd = System.nanoTime();
            drainedAll = drainEnd < deadline;
            return report(o, pubs, subs, (r2 - r1) * 1e9 / (w2 - w1), (s2 - s1) * 1e9 / (w2 - w1),
                    (drainEnd - w2) / 1e9);
        } finally {
            for (Conn c : pubs) {
                c.close();
            }
            for (Conn c : subs) {
                c.close();
            }
            Thread.sleep(100);
            net.shutdown();
            subNet.shutdown();
        }
    }

    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    static void sleepUntil(long t) throws InterruptedException {
        long d;
        while ((d = t - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(d, 100_000_000L));
        }
    }

    private static <C extends Conn> void connectAll(Net net, Opts o, List<C> conns, String what) throws Exception {
        // subscribers may be sent to another node of a cluster (--sub-port): cross-node throughput
        int port = what.startsWith("sub") && o.subPort > 0 ? o.subPort : o.port;
        List<CompletableFuture<Conn>> fs = new ArrayList<>();
        for (C c : conns) {
            net.bootstrap.clone().handler(c).connect(o.host, port).addListener(f -> {
                if (!f.isSuccess()) {
                    c.fail("connect: " + f.cause());
                }
            });
            fs.add(c.ready);
        }
        try {
            CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not connect all " + what + ": " + e.getMessage(), e);
        }
    }

    private static long received(List<Subscriber> subs) {
        long r = 0;
        for (Subscriber s : subs) {
            r += s.uniqueSnapshot;
        }
        return r;
    }

    private static long sent(List<Publisher> pubs) {
        long r = 0;
        for (Publisher p : pubs) {
            r += p.sentSnapshot;
        }
        return r;
    }

    private static long expected(List<Subscriber> subs, List<Publisher> pubs) {
        long e = 0;
        for (Subscriber s : subs) {
            for (Publisher p : pubs) {
                if (s.tracks[p.id] != null) {
                    e += p.sentSnapshot;
                }
            }
        }
        return e;
    }

    private record PubFinal(int sent, int acked, int rejected, int inflight, BitSet ackedSet, String error) {
    }

    private record SubFinal(long unique, long dups, long ooo, long foreign, BitSet[] seen, Histogram latency,
                            String error) {
    }

    private int report(Opts o, List<Publisher> pubs, List<Subscriber> subs, double recvRate, double sendRate,
                       double drainSeconds) throws Exception {
        PubFinal[] pf = new PubFinal[pubs.size()];
        for (Publisher p : pubs) {
            pf[p.id] = p.ch.eventLoop().submit(() -> new PubFinal(p.sentSnapshot, p.ackedCount, p.rejected,
                    p.inflightSnapshot, o.qos > 0 ? (BitSet) p.acked.clone() : null, p.error)).get();
        }
        long sent = 0;
        long acked = 0;
        long rejected = 0;
        long inflight = 0;
        int errors = 0;
        String firstError = null;
        for (PubFinal f : pf) {
            sent += f.sent;
            acked += f.acked;
            rejected += f.rejected;
            inflight += f.inflight;
            if (f.error != null) {
                errors++;
                firstError = firstError == null ? f.error : firstError;
            }
        }
        long expected = 0;
        long received = 0;
        long lost = 0;
        long lostAcked = 0;
        long dups = 0;
        long ooo = 0;
        long foreign = 0;
        Histogram lat = null;
        for (Subscriber s : subs) {
            SubFinal f = s.ch.eventLoop().submit(() -> {
                BitSet[] seen = new BitSet[s.tracks.length];
                for (int i = 0; i < seen.length; i++) {
                    seen[i] = s.tracks[i] == null ? null : (BitSet) s.tracks[i].seen.clone();
                }
                return new SubFinal(s.unique, s.dups, s.outOfOrder, s.foreign, seen,
                        s.latency == null ? null : s.latency.copy(), s.error);
            }).get();
            received += f.unique;
            dups += f.dups;
            ooo += f.ooo;
            foreign += f.foreign;
            if (f.error != null) {
                errors++;
                firstError = firstError == null ? f.error : firstError;
            }
            for (int i = 0; i < f.seen.length; i++) {
                if (f.seen[i] == null) {
                    continue;
                }
                expected += pf[i].sent;
                lost += Math.max(0, pf[i].sent - f.seen[i].cardinality());
                if (pf[i].ackedSet != null) {
                    BitSet missing = (BitSet) pf[i].ackedSet.clone();
                    missing.andNot(f.seen[i]);
                    lostAcked += missing.cardinality();
                }
            }
            if (f.latency != null) {
                lat = f.latency;
            }
        }
        StringBuilder r = new StringBuilder("RESULT scenario=").append(o.scenario)
                .append(" protocol=").append(o.protocol == 5 ? "5" : "3.1.1")
                .append(" qos=").append(o.qos)
                .append(String.format(Locale.ROOT, " throughput=%.0f sent_rate=%.0f", recvRate, sendRate))
                .append(" sent=").append(sent).append(" expected=").append(expected)
                .append(" received=").append(received).append(" lost=").append(lost)
                .append(" dups=").append(dups).append(" ooo=").append(ooo).append(" foreign=").append(foreign);
        if (o.qos > 0) {
            r.append(" acked=").append(acked).append(" rejected=").append(rejected)
                    .append(" unacked=").append(inflight).append(" lost_acked=").append(lostAcked);
        }
        r.append(" errors=").append(errors).append(" drained=").append(drainedAll);
        System.out.printf(Locale.ROOT, "throughput: %,.0f msg/s received, %,.0f msg/s sent (measured window)%n",
                recvRate, sendRate);
        System.out.printf(Locale.ROOT, "counted: sent %,d, expected %,d, received %,d, lost %,d, duplicates %,d, "
                        + "out-of-order %,d%s (%s in %.1fs)%n", sent, expected, received, lost, dups, ooo,
                o.qos > 0 ? String.format(Locale.ROOT, ", acknowledged %,d, rejected %,d, unacknowledged %,d, "
                        + "acknowledged-but-lost %,d", acked, rejected, inflight, lostAcked) : "",
                drainedAll ? "drained" : "drain deadline passed, still arriving", drainSeconds);
        if (lat != null && lat.getTotalCount() > 0) {
            double p50 = lat.getValueAtPercentile(50) / 1e3;
            double p99 = lat.getValueAtPercentile(99) / 1e3;
            double p999 = lat.getValueAtPercentile(99.9) / 1e3;
            double max = lat.getMaxValue() / 1e3;
            System.out.printf(Locale.ROOT, "latency (us, %,d samples): p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n",
                    lat.getTotalCount(), p50, p99, p999, max);
            r.append(String.format(Locale.ROOT, " samples=%d p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f",
                    lat.getTotalCount(), p50, p99, p999, max));
        }
        if (firstError != null) {
            System.out.println("errors: " + errors + " connection(s), first: " + firstError);
        }
        System.out.println(r);
        boolean failed = o.qos > 0 && (lost > 0 || lostAcked > 0) || o.qos == 2 && dups > 0 || foreign > 0;
        if (failed) {
            System.out.println("FAIL: " + (lost > 0 ? "lost " + lost + " " : "")
                    + (lostAcked > 0 ? "acknowledged-but-lost " + lostAcked + " " : "")
                    + (o.qos == 2 && dups > 0 ? "duplicates at QoS 2 " + dups + " " : "")
                    + (foreign > 0 ? "unexpected messages " + foreign : ""));
            return 1;
        }
        return errors > 0 ? 2 : 0;
    }
}
