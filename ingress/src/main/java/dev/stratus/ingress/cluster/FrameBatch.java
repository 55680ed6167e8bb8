package dev.stratus.ingress.cluster;

import dev.stratus.state.model.MessageProperties;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;
import dev.stratus.state.redis.ValueCodec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The compact batch format forwarded messages and their acknowledgements travel in (format 2). A batch comes from
 * one node for one tenant, so both are written once, in its header; each frame is then written straight into the
 * batch's buffer (no per-frame array, stream or codec object), and a topic is written once per batch and referred
 * to by its index afterwards (a busy publisher repeats its topic in every message). Acknowledgements are ranges of
 * consecutive sequence numbers. A receiver credits the bytes of each batch with forwards back to its origin once
 * it has delivered them (flow control between nodes, see {@link NodeWindow}).
 * <pre>
 * batch    = MAGIC(0xC5) FORMAT(2) tenant:str origin:str frame*
 * frame    = FORWARD  flags:u8 [seq:varlong] [group:str] [id:str] message   (flags: qos 0-1, retain 2, has seq 3,
 *                                                                     has group 4, has expiry 5, codec 6, has id 7)
 *          | REDELIVER (as FORWARD: a delivery again after a node died, to persistent sessions only)
 *          | ACKS     count:varint (first:varlong length:varint)*
 *          | CREDIT   bytes:varlong                                      (bytes of batches taken from the receiver)
 * message  = topic [expiresAt:i64] payload:bytes                       (codec: message = ValueCodec bytes:bytes)
 * topic    = 0:varint topic:str (a new topic, gets the next index) | index+1:varint
 * str, bytes = length:varint content (strings in UTF-8)
 * </pre>
 * A batch of format 1 (the frames of {@link ClusterFrame}, each preceded by its 4-byte length) starts with a zero
 * byte (the high byte of a length below 16 MB), so a receiver tells the two apart by the first byte.
 */
final class FrameBatch {

    static final int MAGIC = 0xC5;
    static final int FORMAT = 2;
    static final int FORWARD = 1;
    static final int ACKS = 2;
    static final int CREDIT = 3;
    static final int REDELIVER = 4;

    private static final int RETAIN = 1 << 2;
    private static final int HAS_SEQ = 1 << 3;
    private static final int HAS_GROUP = 1 << 4;
    private static final int HAS_EXPIRY = 1 << 5;
    private static final int CODEC = 1 << 6;
    private static final int HAS_ID = 1 << 7;
    /** Topics remembered per batch; more are written in full. */
    private static final int MAX_TOPICS = 1024;

    private FrameBatch() {
    }

    /** Receives the frames of a batch, in order. */
    interface Handler {
        /**
         * @param deliveryId the message's cluster-wide id (QoS 2), or null
         * @param redelivery whether it is delivered again after a node died (to persistent sessions only)
         */
        void forward(TenantId tenant, String origin, String group, StoredMessage message, long seq,
                     String deliveryId, boolean redelivery);

        void acks(TenantId tenant, String origin, long first, int length);

        /** The node {@code origin} has taken {@code bytes} of the batches this node sent it. */
        void credit(TenantId tenant, String origin, long bytes);

        /** A frame of format 1 (takeover, release, or a forward or ack from a node of the previous version). */
        void legacy(ClusterFrame frame);

        /** After the last frame of the batch. */
        void end(TenantId tenant, String origin);
    }

    /** Decodes a batch of either format. */
    static void decode(byte[] batch, Handler handler) {
        if (batch.length > 0 && (batch[0] & 0xFF) == MAGIC) {
            new Reader(batch).read(handler);
        } else {
            for (ClusterFrame frame : ClusterFrame.decodeBatch(batch)) {
                handler.legacy(frame);
            }
            handler.end(null, null);
        }
    }

    /** Builds one batch. Not thread-safe. */
    static final class Writer {
        private byte[] buf;
        private int len;
        private final Map<String, Integer> topics = new HashMap<>();
        int forwards;

        Writer(TenantId tenant, String origin, int capacity) {
            buf = new byte[capacity];
            writeByte(MAGIC);
            writeByte(FORMAT);
            writeString(tenant.value());
            writeString(origin);
        }

        int size() {
            return len;
        }

        byte[] toByteArray() {
            return buf.length == len ? buf : Arrays.copyOf(buf, len);
        }

        void forward(String group, StoredMessage m, long seq) {
            forward(group, m, seq, null, false);
        }

        void forward(String group, StoredMessage m, long seq, String deliveryId, boolean redelivery) {
            forwards++;
            boolean codec = !m.properties().isEmpty();
            int flags = m.qos() | (m.retain() ? RETAIN : 0) | (seq != 0 ? HAS_SEQ : 0)
                    | (group != null ? HAS_GROUP : 0) | (m.expiresAtMillis() != 0 ? HAS_EXPIRY : 0)
                    | (codec ? CODEC : 0) | (deliveryId != null ? HAS_ID : 0);
            writeByte(redelivery ? REDELIVER : FORWARD);
            writeByte(flags);
            if (seq != 0) {
                writeVarLong(seq);
            }
            if (group != null) {
                writeString(group);
            }
            if (deliveryId != null) {
                writeString(deliveryId);
            }
            if (codec) { // MQTT 5 properties: the store's encoding, which knows them
                writeBytes(ValueCodec.encode(m));
                return;
            }
            Integer index = topics.get(m.topic());
            if (index != null) {
                writeVarInt(index + 1);
            } else {
                writeVarInt(0);
                writeString(m.topic());
                if (topics.size() < MAX_TOPICS) {
                    topics.put(m.topic(), topics.size());
                }
            }
            if (m.expiresAtMillis() != 0) {
                writeLong(m.expiresAtMillis());
            }
            writeBytes(m.payload());
        }

        /** Acknowledges {@code seqs[0..n)} (any order) as ranges of consecutive numbers. */
        void acks(long[] seqs, int n) {
            Arrays.sort(seqs, 0, n);
            int ranges = 0;
            for (int i = 0; i < n; i++) {
                if (i == 0 || seqs[i] != seqs[i - 1] + 1) {
                    ranges++;
                }
            }
            writeByte(ACKS);
            writeVarInt(ranges);
            int i = 0;
            while (i < n) {
                int j = i + 1;
                while (j < n && seqs[j] == seqs[j - 1] + 1) {
                    j++;
                }
                writeVarLong(seqs[i]);
                writeVarInt(j - i);
                i = j;
            }
        }

        /** Credits {@code bytes} of the receiver's batches back to it. */
        void credit(long bytes) {
            writeByte(CREDIT);
            writeVarLong(bytes);
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        private void writeByte(int b) {
            ensure(1);
            buf[len++] = (byte) b;
        }

        private void writeLong(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[len++] = (byte) (v >>> shift);
            }
        }

        private void writeVarInt(int v) {
            writeVarLong(v & 0xFFFFFFFFL);
        }

        private void writeVarLong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[len++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[len++] = (byte) v;
        }

        private void writeBytes(byte[] b) {
            writeVarInt(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        private void writeString(String s) {
            int n = s.length();
            boolean ascii = true;
            for (int i = 0; i < n; i++) {
                if (s.charAt(i) >= 0x80) {
                    ascii = false;
                    break;
                }
            }
            if (!ascii) {
                writeBytes(s.getBytes(StandardCharsets.UTF_8));
                return;
            }
            writeVarInt(n);
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[len++] = (byte) s.charAt(i);
            }
        }
    }

    private static final class Reader {
        private final byte[] buf;
        private int at;
        private final List<String> topics = new ArrayList<>();

        Reader(byte[] buf) {
            this.buf = buf;
        }

        void read(Handler handler) {
            at = 1;
            int format = readByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown cluster batch format " + format);
            }
            TenantId tenant = new TenantId(readString());
            String origin = readString();
            while (at < buf.length) {
                int type = readByte();
                switch (type) {
                    case FORWARD -> readForward(tenant, origin, handler, false);
                    case REDELIVER -> readForward(tenant, origin, handler, true);
                    case ACKS -> {
                        int ranges = readVarInt();
                        for (int i = 0; i < ranges; i++) {
                            long first = readVarLong();
                            handler.acks(tenant, origin, first, readVarInt());
                        }
                    }
                    case CREDIT -> handler.credit(tenant, origin, readVarLong());
                    default -> throw new IllegalArgumentException("unknown cluster frame type " + type);
                }
            }
            handler.end(tenant, origin);
        }

        private void readForward(TenantId tenant, String origin, Handler handler, boolean redelivery) {
            int flags = readByte();
            long seq = (flags & HAS_SEQ) != 0 ? readVarLong() : 0;
            String group = (flags & HAS_GROUP) != 0 ? readString() : null;
            String deliveryId = (flags & HAS_ID) != 0 ? readString() : null;
            StoredMessage message;
            if ((flags & CODEC) != 0) {
                int n = readVarInt();
                check(n);
                message = ValueCodec.decodeMessage(Arrays.copyOfRange(buf, at, at + n));
                at += n;
            } else {
                int index = readVarInt();
                String topic;
                if (index == 0) {
                    topic = readString();
                    if (topics.size() < MAX_TOPICS) {
                        topics.add(topic);
                    }
                } else {
                    topic = topics.get(index - 1);
                }
                long expiresAt = (flags & HAS_EXPIRY) != 0 ? readLong() : 0;
                int n = readVarInt();
                check(n);
                byte[] payload = Arrays.copyOfRange(buf, at, at + n);
                at += n;
                message = new StoredMessage(topic, payload, flags & 0x3, (flags & RETAIN) != 0, expiresAt,
                        MessageProperties.NONE);
            }
            handler.forward(tenant, origin, group, message, seq, deliveryId, redelivery);
        }

        private void check(int n) {
            if (n < 0 || at + n > buf.length) {
                throw new IllegalArgumentException("truncated cluster batch");
            }
        }

        private int readByte() {
            check(1);
            return buf[at++] & 0xFF;
        }

        private long readLong() {
            check(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[at++] & 0xFF);
            }
            return v;
        }

        private int readVarInt() {
            long v = readVarLong();
            if (v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("varint too large");
            }
            return (int) v;
        }

        private long readVarLong() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = readByte();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint too long");
        }

        private String readString() {
            int n = readVarInt();
            check(n);
            String s = new String(buf, at, n, StandardCharsets.UTF_8);
            at += n;
            return s;
        }
    }
}
