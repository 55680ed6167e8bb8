package dev.stratus.bench.loadgen;

/**
 * MQTT 3.1.1 / 5 load generator over real sockets.
 * <pre>
 * java -jar loadgen.jar fan-in|fan-out|pairs|latency|idle --host 127.0.0.1 --port 1883 [options]
 * </pre>
 * Exit status: 0 ok; 1 loss (QoS 1/2), acknowledged-but-lost, QoS 2 duplicates, or idle connections that failed;
 * 2 connection errors or bad arguments; 3 hard timeout.
 */
public final class Main {
    private static final String USAGE = """
            usage: java -jar loadgen.jar <scenario> [options]
              scenarios: fan-in (N publishers -> 1 subscriber on a wildcard), fan-out (1 -> M), pairs (K pairs),
                         latency (1 -> 1 at a fixed rate), idle (open C idle connections in stages)
              --host 127.0.0.1 --port 1883 --protocol 3|5 --qos 0|1|2 --payload 64 (bytes, >= 20)
              --warmup 2s --duration 10s --drain 15s --timeout (default warm-up + duration + drain + 60s)
              --publishers N (fan-in 10) --subscribers M (fan-out 100) --pairs K (50 at QoS 1, 10 at QoS 2)
              --window 32 (QoS 1/2 in flight per publisher) --rate R (msg/s per publisher; latency 5000)
              --threads 2 (event loops) --keep-alive 60 --topic-prefix bench --persistent false (true: clean
                         session 0, MQTT 5 session expiry 300 s)
              idle: --connections 10000,19000 --bind 127.0.0.2,...,127.0.0.9 --concurrency 64 --settle 3s
                    --broker-pid PID (reads VmRSS from /proc/PID/status)
            Every run prints one line starting with RESULT with key=value fields.
            """;

    private Main() {
    }

    static void watchdog(long timeoutNanos) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(timeoutNanos / 1_000_000);
                System.out.println("HARD TIMEOUT after " + timeoutNanos / 1_000_000_000 + " s");
                System.out.flush();
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // done
            }
        }, "watchdog");
        t.setDaemon(true);
        t.start();
    }

    public static void main(String[] args) {
        Opts o;
        try {
            o = Opts.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        int rc;
        try {
            rc = o.scenario.equals("idle") ? new Idle().run(o) : new Flow().run(o);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            rc = 2;
        } catch (Exception e) {
            System.out.println("ERROR " + e.getMessage());
            rc = 2;
        }
        System.out.flush();
        Runtime.getRuntime().halt(rc);
    }
}
