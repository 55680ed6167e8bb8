package dev.stratus.bench.loadgen;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Encoders for the few MQTT 3.1.1 / 5 packets the generator sends, written straight into buffers. */
final class Mqtt {
    /** Payload header: publisher id (int), sequence (long), send time System.nanoTime (long). */
    static final int HEADER_BYTES = 20;

    static final int PUBACK = 0x40;
    static final int PUBREC = 0x50;
    static final int PUBREL = 0x62;
    static final int PUBCOMP = 0x70;

    private Mqtt() {
    }

    static int varIntSize(int v) {
        return v < 128 ? 1 : v < 16_384 ? 2 : v < 2_097_152 ? 3 : 4;
    }

    static void writeVarInt(ByteBuf b, int v) {
        do {
            int d = v & 0x7F;
            v >>>= 7;
            b.writeByte(v > 0 ? d | 0x80 : d);
        } while (v > 0);
    }

    static void connect(ByteBuf b, String clientId, int keepAlive, int protocol) {
        connect(b, clientId, keepAlive, protocol, false);
    }

    /** With {@code persistent}: clean session 0 (MQTT 5: clean start 0 and a session expiry of 300 s). */
    static void connect(ByteBuf b, String clientId, int keepAlive, int protocol, boolean persistent) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        int props = protocol == 5 ? (persistent ? 1 + 5 : 1) : 0;
        int rem = 2 + 4 + 1 + 1 + 2 + props + 2 + id.length;
        b.writeByte(0x10);
        writeVarInt(b, rem);
        b.writeShort(4).writeBytes("MQTT".getBytes(StandardCharsets.US_ASCII));
        b.writeByte(protocol);
        b.writeByte(persistent ? 0x00 : 0x02); // clean session / clean start
        b.writeShort(keepAlive);
        if (protocol == 5) {
            if (persistent) {
                b.writeByte(5).writeByte(0x11).writeInt(300); // Session Expiry Interval
            } else {
                b.writeByte(0); // no properties
            }
        }
        b.writeShort(id.length).writeBytes(id);
    }

    static void subscribe(ByteBuf b, int packetId, String filter, int qos, int protocol) {
        byte[] f = filter.getBytes(StandardCharsets.UTF_8);
        int rem = 2 + (protocol == 5 ? 1 : 0) + 2 + f.length + 1;
        b.writeByte(0x82);
        writeVarInt(b, rem);
        b.writeShort(packetId);
        if (protocol == 5) {
            b.writeByte(0);
        }
        b.writeShort(f.length).writeBytes(f);
        b.writeByte(qos);
    }

    static int publishRemaining(int topicLen, int payload, int qos, int protocol) {
        return 2 + topicLen + (qos > 0 ? 2 : 0) + (protocol == 5 ? 1 : 0) + payload;
    }

    static int publishSize(int topicLen, int payload, int qos, int protocol) {
        int rem = publishRemaining(topicLen, payload, qos, protocol);
        return 1 + varIntSize(rem) + rem;
    }

    static void publish(ByteBuf b, byte[] topic, int qos, int packetId, int protocol, int payload,
                        int publisherId, long seq, long nanos) {
        b.writeByte(0x30 | (qos << 1));
        writeVarInt(b, publishRemaining(topic.length, payload, qos, protocol));
        b.writeShort(topic.length).writeBytes(topic);
        if (qos > 0) {
            b.writeShort(packetId);
        }
        if (protocol == 5) {
            b.writeByte(0);
        }
        b.writeInt(publisherId).writeLong(seq).writeLong(nanos);
        b.writeZero(payload - HEADER_BYTES);
    }

    /** PUBACK, PUBREC, PUBREL, PUBCOMP with the short (success) form. */
    static void ack(ByteBuf b, int firstByte, int packetId) {
        b.writeByte(firstByte).writeByte(2).writeShort(packetId);
    }

    static void pingreq(ByteBuf b) {
        b.writeByte(0xC0).writeByte(0);
    }

    static void disconnect(ByteBuf b) {
        b.writeByte(0xE0).writeByte(0);
    }

    /**
     * Skips MQTT 5 properties starting at {@code off} (at the property-length varint) and returns the offset after
     * them; if {@code wanted} is a two-byte-integer property found there, stores it in {@code found[0]}.
     */
    static int properties(ByteBuf in, int off, int wanted, int[] found) {
        int len = 0;
        int mul = 1;
        int b;
        do {
            b = in.getUnsignedByte(off++);
            len += (b & 0x7F) * mul;
            mul <<= 7;
        } while ((b & 0x80) != 0);
        int end = off + len;
        while (found != null && off < end) {
            int id = in.getUnsignedByte(off++);
            switch (id) {
                case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> off += 1;
                case 0x13, 0x21, 0x22, 0x23 -> {
                    if (id == wanted) {
                        found[0] = in.getUnsignedShort(off);
                    }
                    off += 2;
                }
                case 0x02, 0x11, 0x18, 0x27 -> off += 4;
                case 0x0B -> {
                    while ((in.getUnsignedByte(off++) & 0x80) != 0) {
                        // varint
                    }
                }
                case 0x03, 0x08, 0x12, 0x15, 0x1A, 0x1C, 0x1F, 0x09, 0x16 -> off += 2 + in.getUnsignedShort(off);
                case 0x26 -> {
                    off += 2 + in.getUnsignedShort(off);
                    off += 2 + in.getUnsignedShort(off);
                }
                default -> off = end;
            }
        }
        return end;
    }
}
