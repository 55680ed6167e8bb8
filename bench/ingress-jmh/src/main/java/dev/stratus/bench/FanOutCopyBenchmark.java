package dev.stratus.bench;

import dev.stratus.ingress.broker.BrokerNode;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.transport.Listener;
import io.netty.channel.nio.NioEventLoopGroup;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Fan-out through a real broker over loopback sockets: one publisher, {@code SUBSCRIBERS} QoS 0 SUBSCRIBERS,
 * payloads of {@code payloadSize} bytes. With {@code copyThreshold} 0 every payload is shared from one direct
 * copy; with a huge threshold every payload is copied into each subscriber's outbound buffer. One operation is
 * one delivery; an invocation publishes a batch and waits until every subscriber has received all of it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class FanOutCopyBenchmark {

    static final int SUBSCRIBERS = 50;
    /** Bytes per subscriber per batch: kept under the outbound buffer limit, so that QoS 0 is never dropped. */
    static final int BATCH_BYTES = 128 * 1024;

    @Param({"64", "1024", "4096", "16384", "65536", "262144", "1048576"})
    int payloadSize;

    @Param({"0", "1073741824"})
    int copyThreshold;

    private NioEventLoopGroup group;
    private BrokerNode node;
    private Socket publisher;
    private OutputStream publisherOut;
    private final List<Socket> subs = new ArrayList<>();
    private final AtomicLong receivedBytes = new AtomicLong();
    private byte[] batch;
    private int batchCount;
    private long bytesPerMessagePerSubscriber;

    @Setup(Level.Trial)
    public void start() throws Exception {
        group = new NioEventLoopGroup(2);
        BrokerConfig config = BrokerConfig.forTests()
                .withLimits(BrokerConfig.Limits.defaults().withCopyThreshold(copyThreshold).withMaxPacketSize(4 << 20));
        node = BrokerNode.embedded(config, group).start();
        int port = node.port(Listener.TCP);
        for (int i = 0; i < SUBSCRIBERS; i++) {
            Socket s = connect(port, "sub" + i);
            s.getOutputStream().write(subscribe("bench/t"));
            readPacket(s.getInputStream()); // SUBACK
            subs.add(s);
            Thread reader = new Thread(() -> drain(s), "reader-" + i);
            reader.setDaemon(true);
            reader.start();
        }
        publisher = connect(port, "pub");
        publisherOut = publisher.getOutputStream();
        byte[] one = publish("bench/t", new byte[payloadSize]);
        bytesPerMessagePerSubscriber = one.length;
        batchCount = Math.max(1, Math.min(200, BATCH_BYTES / one.length));
        batch = new byte[one.length * batchCount];
        for (int i = 0; i < batchCount; i++) {
            System.arraycopy(one, 0, batch, i * one.length, one.length);
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        publisher.close();
        for (Socket s : subs) {
            s.close();
        }
        node.stop(Duration.ofSeconds(2));
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** JMH reports {@code deliveries} per second: messages received, summed over all subscribers. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Deliveries {
        public long deliveries;
    }

    @Benchmark
    public long fanOut(Deliveries counter) throws IOException {
        long target = receivedBytes.get() + bytesPerMessagePerSubscriber * batchCount * SUBSCRIBERS;
        publisherOut.write(batch);
        publisherOut.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (receivedBytes.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("deliveries missing: " + (target - receivedBytes.get()) + " bytes");
            }
            LockSupport.parkNanos(10_000);
        }
        counter.deliveries += (long) batchCount * SUBSCRIBERS;
        return receivedBytes.get();
    }

    private void drain(Socket s) {
        byte[] buf = new byte[256 * 1024];
        try {
            InputStream in = s.getInputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                receivedBytes.addAndGet(n);
            }
        } catch (IOException ignored) {
            // closed at tear-down
        }
    }

    private static Socket connect(int port, String clientId) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setTcpNoDelay(true);
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[10 + 2 + id.length];
        byte[] header = {0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60};
        System.arraycopy(header, 0, body, 0, 10);
        body[10] = (byte) (id.length >> 8);
        body[11] = (byte) id.length;
        System.arraycopy(id, 0, body, 12, id.length);
        s.getOutputStream().write(packet(0x10, body));
        readPacket(s.getInputStream()); // CONNACK
        return s;
    }

    private static byte[] subscribe(String filter) {
        byte[] f = filter.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[2 + 2 + f.length + 1];
        body[1] = 1;
        body[2] = (byte) (f.length >> 8);
        body[3] = (byte) f.length;
        System.arraycopy(f, 0, body, 4, f.length);
        body[body.length - 1] = 0;
        return packet(0x82, body);
    }

    private static byte[] publish(String topic, byte[] payload) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[2 + t.length + payload.length];
        body[0] = (byte) (t.length >> 8);
        body[1] = (byte) t.length;
        System.arraycopy(t, 0, body, 2, t.length);
        System.arraycopy(payload, 0, body, 2 + t.length, payload.length);
        return packet(0x30, body);
    }

    private static byte[] packet(int type, byte[] body) {
        byte[] len = new byte[4];
        int n = 0;
        int v = body.length;
        do {
            int d = v & 0x7F;
            v >>>= 7;
            len[n++] = (byte) (v > 0 ? d | 0x80 : d);
        } while (v > 0);
        byte[] p = new byte[1 + n + body.length];
        p[0] = (byte) type;
        System.arraycopy(len, 0, p, 1, n);
        System.arraycopy(body, 0, p, 1 + n, body.length);
        return p;
    }

    private static void readPacket(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        d.readUnsignedByte();
        int len = 0;
        int mul = 1;
        int b;
        do {
            b = d.readUnsignedByte();
            len += (b & 0x7F) * mul;
            mul *= 128;
        } while ((b & 0x80) != 0);
        d.readFully(new byte[len]);
    }
}
