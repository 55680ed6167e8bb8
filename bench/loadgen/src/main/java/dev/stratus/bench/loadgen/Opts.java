package dev.stratus.bench.loadgen;

import java.util.ArrayList;
import java.util.List;

/** Command-line options; {@code --name value} pairs after the scenario name. */
final class Opts {
    String scenario;
    String host = "127.0.0.1";
    int port = 1883;
    int subPort = -1; // subscribers' port (another cluster node); -1 = same as publishers
    int qos = 0;
    int protocol = 4; // 4 = MQTT 3.1.1, 5 = MQTT 5
    long warmupNanos = 2_000_000_000L;
    long durationNanos = 10_000_000_000L;
    long drainNanos = 15_000_000_000L;
    long timeoutNanos = -1; // hard timeout; default warm-up + duration + drain + 60 s
    int payload = 64;
    int publishers = -1;
    int subscribers = -1;
    int pairs = -1;
    int rate = -1; // msg/s per publisher; -1 = as fast as accepted
    int window = 32; // QoS 1/2 messages in flight per publisher
    int threads = 2;
    int keepAlive = 60;
    String topicPrefix = "bench";
    /** Clean session 0 (MQTT 5: a session expiry): the broker keeps the sessions, and in a cluster writes ahead. */
    boolean persistent;
    // idle
    List<Integer> connections = new ArrayList<>(List.of(10_000, 19_000));
    List<String> bind = new ArrayList<>();
    int concurrency = 64;
    long settleNanos = 3_000_000_000L;
    int brokerPid = -1;
    boolean quiet;

    static Opts parse(String[] args) {
        if (args.length == 0 || args[0].startsWith("-")) {
            throw new IllegalArgumentException("missing scenario");
        }
        Opts o = new Opts();
        o.scenario = args[0];
        for (int i = 1; i < args.length; i++) {
            String k = args[i];
            if (k.equals("--quiet")) {
                o.quiet = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + k);
            }
            String v = args[++i];
            switch (k) {
                case "--host" -> o.host = v;
                case "--port" -> o.port = Integer.parseInt(v);
                case "--sub-port" -> o.subPort = Integer.parseInt(v);
                case "--qos" -> o.qos = Integer.parseInt(v);
                case "--protocol" -> o.protocol = switch (v) {
                    case "3", "3.1.1", "4" -> 4;
                    case "5" -> 5;
                    default -> throw new IllegalArgumentException("--protocol 3|5");
                };
                case "--warmup" -> o.warmupNanos = nanos(v);
                case "--duration" -> o.durationNanos = nanos(v);
                case "--drain" -> o.drainNanos = nanos(v);
                case "--timeout" -> o.timeoutNanos = nanos(v);
                case "--payload" -> o.payload = Integer.parseInt(v);
                case "--publishers" -> o.publishers = Integer.parseInt(v);
                case "--subscribers" -> o.subscribers = Integer.parseInt(v);
                case "--pairs" -> o.pairs = Integer.parseInt(v);
                case "--rate" -> o.rate = Integer.parseInt(v);
                case "--window" -> o.window = Integer.parseInt(v);
                case "--threads" -> o.threads = Integer.parseInt(v);
                case "--keep-alive" -> o.keepAlive = Integer.parseInt(v);
                case "--topic-prefix" -> o.topicPrefix = v;
                case "--connections" -> {
                    o.connections.clear();
                    for (String s : v.split(",")) {
                        o.connections.add(Integer.parseInt(s.trim()));
                    }
                }
                case "--bind" -> {
                    o.bind.clear();
                    for (String s : v.split(",")) {
                        o.bind.add(s.trim());
                    }
                }
                case "--concurrency" -> o.concurrency = Integer.parseInt(v);
                case "--settle" -> o.settleNanos = nanos(v);
                case "--persistent" -> o.persistent = Boolean.parseBoolean(v);
                case "--broker-pid" -> o.brokerPid = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + k);
            }
        }
        if (o.qos < 0 || o.qos > 2) {
            throw new IllegalArgumentException("--qos 0|1|2");
        }
        if (o.payload < Mqtt.HEADER_BYTES) {
            throw new IllegalArgumentException("--payload must be at least " + Mqtt.HEADER_BYTES);
        }
        if (o.window < 1 || o.window > 60_000) {
            throw new IllegalArgumentException("--window 1..60000");
        }
        if (o.bind.isEmpty()) {
            for (int i = 2; i <= 9; i++) {
                o.bind.add("127.0.0." + i);
            }
        }
        if (o.timeoutNanos < 0) {
            o.timeoutNanos = o.warmupNanos + o.durationNanos + o.drainNanos + 60_000_000_000L;
        }
        return o;
    }

    static long nanos(String v) {
        v = v.trim();
        if (v.endsWith("ms")) {
            return (long) (Double.parseDouble(v.substring(0, v.length() - 2)) * 1e6);
        }
        if (v.endsWith("s")) {
            return (long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1e9);
        }
        if (v.endsWith("m")) {
            return (long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 60e9);
        }
        return (long) (Double.parseDouble(v) * 1e9);
    }
}
