package dev.stratus.bench.loadgen;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Opens idle connections in stages (e.g. 10000 then 19000), from several local addresses so that the ephemeral
 * ports of one source address are not exhausted; reports connects per second and the broker's RSS at each stage.
 */
final class Idle {
    static final class IdleConn extends Conn {
        long started;
        long connacked;

        IdleConn(Opts o, String clientId) {
            super(o, clientId);
        }

        @Override
        void onConnack() {
            connacked = System.nanoTime();
            long period = Math.max(1, o.keepAlive / 2);
            ch.eventLoop().scheduleAtFixedRate(() -> {
                if (ch.isActive() && !closing) {
                    ByteBuf b = ch.alloc().buffer(2);
                    Mqtt.pingreq(b);
                    ch.writeAndFlush(b, ch.voidPromise());
                }
            }, period, period, TimeUnit.SECONDS);
            ready.complete(this);
        }
    }

    static long rssKb(int pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            System.out.println("cannot read RSS of pid " + pid + ": " + e);
        }
        return -1;
    }

    int run(Opts o) throws Exception {
        System.out.printf(Locale.ROOT, "idle: MQTT %s, stages %s, keep alive %ds, from %s, %d connects in flight, "
                        + "%d %s threads, %s:%d%n", o.protocol == 5 ? "5" : "3.1.1", o.connections, o.keepAlive,
                o.bind.size() > 1 ? o.bind.get(0) + ".." + o.bind.get(o.bind.size() - 1) : o.bind.get(0),
                o.concurrency, o.threads, Net.transport(), o.host, o.port);
        Main.watchdog(o.timeoutNanos);
        String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        InetSocketAddress remote = new InetSocketAddress(o.host, o.port);
        InetSocketAddress[] locals = o.bind.stream().map(a -> new InetSocketAddress(a, 0))
                .toArray(InetSocketAddress[]::new);
        Net net = new Net(o.threads);
        List<IdleConn> conns = new ArrayList<>();
        long rss0 = rssKb(o.brokerPid);
        System.out.println("broker RSS before: " + (rss0 < 0 ? "n/a" : rss0 + " kB"));
        StringBuilder result = new StringBuilder("RESULT scenario=idle");
        long prevRss = rss0;
        int prevN = 0;
        double firstRate = -1;
        int failed = 0;
        String firstError = null;
        try {
            for (int target : o.connections) {
                Semaphore permits = new Semaphore(o.concurrency);
                int from = conns.size();
                long t0 = System.nanoTime();
                while (conns.size() < target) {
                    permits.acquire();
                    IdleConn c = new IdleConn(o, "lg-" + run + "-i" + conns.size());
                    conns.add(c);
                    c.started = System.nanoTime();
                    c.ready.whenComplete((x, e) -> permits.release());
                    net.bootstrap.clone().handler(c).connect(remote, locals[conns.size() % locals.length])
                            .addListener(f -> {
                                if (!f.isSuccess()) {
                                    c.fail("connect: " + f.cause());
                                }
                            });
                }
                if (!permits.tryAcquire(o.concurrency, 60, TimeUnit.SECONDS)) {
                    System.out.println("some connections neither opened nor failed within 60 s");
                }
                long t1 = System.nanoTime();
                long[] times = new long[target - from];
                int ok = 0;
                for (int i = from; i < target; i++) {
                    IdleConn c = conns.get(i);
                    if (c.error != null) {
                        failed++;
                        firstError = firstError == null ? c.error : firstError;
                    } else if (c.connacked > 0) {
                        times[ok++] = c.connacked - c.started;
                    }
                }
                Arrays.sort(times, 0, ok);
                double rate = ok * 1e9 / (t1 - t0);
                if (firstRate < 0) {
                    firstRate = rate;
                }
                Flow.sleepUntil(System.nanoTime() + o.settleNanos);
                long rss = rssKb(o.brokerPid);
                System.out.printf(Locale.ROOT, "%,d connections: %,d opened in %.2fs = %,.0f connects/s "
                                + "(CONNECT to CONNACK p50 %.1f ms, p99 %.1f ms, max %.1f ms), %d failed so far%s%n",
                        target, ok, (t1 - t0) / 1e9, rate, pct(times, ok, 50), pct(times, ok, 99),
                        pct(times, ok, 100), failed,
                        rss < 0 ? "" : String.format(Locale.ROOT, "; broker RSS %,d kB (+%,.0f B per connection)",
                                rss, (rss - prevRss) * 1024.0 / (target - prevN)));
                result.append(String.format(Locale.ROOT, " connects_per_s_%d=%.0f connect_p99_ms_%d=%.1f",
                        target, rate, target, pct(times, ok, 99)));
                if (rss >= 0) {
                    result.append(" rss_kb_").append(target).append('=').append(rss);
                }
                if (failed > 0) {
                    break;
                }
                prevRss = rss;
                prevN = target;
            }
            long closed = conns.stream().filter(c -> c.error != null).count();
            if (rss0 >= 0) {
                result.append(" rss_kb_0=").append(rss0);
            }
            result.append(String.format(Locale.ROOT, " connects_per_s=%.0f", firstRate));
            if (o.connections.size() >= 2 && failed == 0 && rss0 >= 0) {
                int n1 = o.connections.get(o.connections.size() - 2);
                int n2 = o.connections.get(o.connections.size() - 1);
                String s = result.toString();
                long r1 = Long.parseLong(s.replaceAll(".* rss_kb_" + n1 + "=(\\d+).*", "$1"));
                long r2 = Long.parseLong(s.replaceAll(".* rss_kb_" + n2 + "=(\\d+).*", "$1"));
                double per = (r2 - r1) * 1024.0 / (n2 - n1);
                System.out.printf(Locale.ROOT, "broker RSS growth per idle connection between %,d and %,d: %,.0f B%n",
                        n1, n2, per);
                result.append(String.format(Locale.ROOT, " rss_per_conn_b=%.0f", per));
            }
            result.append(" failed=").append(failed).append(" closed=").append(closed);
            if (firstError != null) {
                System.out.println("first failure: " + firstError);
            }
            System.out.println(result);
            return failed > 0 || closed > 0 ? 1 : 0;
        } finally {
            for (IdleConn c : conns) {
                c.closing = true;
                if (c.ch != null) {
                    c.ch.close();
                }
            }
            net.shutdown();
        }
    }

    private static double pct(long[] sorted, int n, double p) {
        if (n == 0) {
            return 0;
        }
        int i = (int) Math.min(n - 1, Math.ceil(p / 100 * n) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
