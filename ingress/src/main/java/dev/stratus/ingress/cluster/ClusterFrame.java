package dev.stratus.ingress.cluster;

import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;
import dev.stratus.state.redis.ValueCodec;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What nodes send each other through their Redis inboxes:
 * <ul>
 *   <li>{@link Forward}: a message published on another node, for this node's subscribers; with a shared group
 *       name when it is meant for one member of that group only;</li>
 *   <li>{@link Takeover}: another node claimed a session this node has; disconnect it (0x8E), hand its state over
 *       to the store, forget it, then answer {@link Released};</li>
 *   <li>{@link Released}: the answer.</li>
 * </ul>
 */
sealed interface ClusterFrame {

    /**
     * @param origin the node that forwards it
     * @param seq    when positive, the origin waits for an {@link Ack} of this number before it acknowledges the
     *               publisher (QoS 1/2): back-pressure and hand-over across nodes
     */
    record Forward(TenantId tenant, String group, StoredMessage message, String origin, long seq)
            implements ClusterFrame {
    }

    /** The receiving node has taken these forwarded messages (and its subscribers keep up). */
    record Ack(TenantId tenant, long[] seqs) implements ClusterFrame {
    }

    record Takeover(TenantId tenant, String clientId, long epoch, String requester) implements ClusterFrame {
    }

    record Released(TenantId tenant, String clientId, long epoch) implements ClusterFrame {
    }

    static byte[] encode(ClusterFrame frame) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (frame instanceof Forward f) {
                out.writeByte(1);
                out.writeUTF(f.tenant().value());
                out.writeUTF(f.group() == null ? "" : f.group());
                out.writeUTF(f.origin());
                out.writeLong(f.seq());
                byte[] m = ValueCodec.encode(f.message());
                out.writeInt(m.length);
                out.write(m);
            } else if (frame instanceof Ack a) {
                out.writeByte(4);
                out.writeUTF(a.tenant().value());
                out.writeInt(a.seqs().length);
                for (long seq : a.seqs()) {
                    out.writeLong(seq);
                }
            } else if (frame instanceof Takeover t) {
                out.writeByte(2);
                out.writeUTF(t.tenant().value());
                out.writeUTF(t.clientId());
                out.writeLong(t.epoch());
                out.writeUTF(t.requester());
            } else if (frame instanceof Released r) {
                out.writeByte(3);
                out.writeUTF(r.tenant().value());
                out.writeUTF(r.clientId());
                out.writeLong(r.epoch());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Appends a frame to a batch: its length, then the frame (a batch is a series of these). */
    static void appendToBatch(ByteArrayOutputStream batch, byte[] frame) {
        int n = frame.length;
        batch.write(n >>> 24);
        batch.write(n >>> 16);
        batch.write(n >>> 8);
        batch.write(n);
        batch.write(frame, 0, n);
    }

    /** The frames of a batch, in order. */
    static java.util.List<ClusterFrame> decodeBatch(byte[] batch) {
        java.util.List<ClusterFrame> frames = new java.util.ArrayList<>();
        int at = 0;
        while (at + 4 <= batch.length) {
            int n = ((batch[at] & 0xFF) << 24) | ((batch[at + 1] & 0xFF) << 16) | ((batch[at + 2] & 0xFF) << 8)
                    | (batch[at + 3] & 0xFF);
            at += 4;
            frames.add(decode(java.util.Arrays.copyOfRange(batch, at, at + n)));
            at += n;
        }
        return frames;
    }

    static ClusterFrame decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            int type = in.readByte();
            TenantId tenant = new TenantId(in.readUTF());
            switch (type) {
                case 1 -> {
                    String group = in.readUTF();
                    String origin = in.readUTF();
                    long seq = in.readLong();
                    byte[] m = new byte[in.readInt()];
                    in.readFully(m);
                    return new Forward(tenant, group.isEmpty() ? null : group, ValueCodec.decodeMessage(m), origin,
                            seq);
                }
                case 4 -> {
                    long[] seqs = new long[in.readInt()];
                    for (int i = 0; i < seqs.length; i++) {
                        seqs[i] = in.readLong();
                    }
                    return new Ack(tenant, seqs);
                }
                case 2 -> {
                    return new Takeover(tenant, in.readUTF(), in.readLong(), in.readUTF());
                }
                case 3 -> {
                    return new Released(tenant, in.readUTF(), in.readLong());
                }
                default -> throw new IllegalArgumentException("unknown cluster frame type " + type);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
