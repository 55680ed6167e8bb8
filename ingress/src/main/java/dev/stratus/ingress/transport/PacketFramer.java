package dev.stratus.ingress.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Cuts the byte stream into whole MQTT packets for the decoder, and enforces the packet limits as soon as a fixed
 * header arrives:
 * <ul>
 *   <li>a Remaining Length of more than four bytes is malformed [MQTT-2.2.3]: close;</li>
 *   <li>a packet larger than the maximum closes the connection when its header is read, before its body is:
 *       Netty's decoder alone would buffer the whole packet (up to 256 MB) before rejecting it;</li>
 *   <li>on an MQTT 3.1.1 connection (protocol level 4 in the CONNECT), a SUBSCRIBE whose requested QoS bytes have
 *       reserved bits 2-7 set is malformed [MQTT-3.8.3-4]: close. Netty's decoder drops bits 6-7, so only whole
 *       packets seen here show them.</li>
 * </ul>
 * A packet may arrive in any number of reads (TCP segments, WebSocket frames [MQTT-6.0.0-2]). Netty's
 * {@code MqttDecoder} reports a packet whose variable header is split over two reads as too long, so it is given
 * complete packets only. This holds at most one incomplete packet, of at most the maximum size. The complete
 * packets of a read pass on together as one slice: no copy.
 */
final class PacketFramer extends ByteToMessageDecoder {

    private static final Logger LOG = Logger.getLogger(PacketFramer.class);
    private static final int INCOMPLETE = -1;
    private static final int MALFORMED = -2;

    private final int maxPacketSize;
    private boolean failed;
    /** Whether the first packet (the CONNECT) has been seen, and whether it asked for MQTT 3.1.1. */
    private boolean connectSeen;
    private boolean mqtt311;

    PacketFramer(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        int end = in.writerIndex();
        int complete = start;
        String invalid = null;
        while (true) {
            long size = packetSize(in, complete, end);
            if (size == MALFORMED || size > maxPacketSize) {
                fail(ctx, in, size == MALFORMED ? "malformed Remaining Length (more than four bytes)"
                        : "packet of " + size + " bytes exceeds the maximum of " + maxPacketSize);
                return;
            }
            if (size == INCOMPLETE || complete + size > end) {
                break;
            }
            invalid = inspect(in, complete, (int) size);
            if (invalid != null) {
                break;
            }
            complete += (int) size;
        }
        if (complete > start) {
            out.add(in.readRetainedSlice(complete - start));
        }
        if (invalid != null) {
            fail(ctx, in, invalid);
        }
    }

    /**
     * Looks at a complete packet: notes the protocol level of the CONNECT, checks the requested QoS bytes of a
     * SUBSCRIBE on an MQTT 3.1.1 connection. Cheap: other packets are not read beyond their first byte.
     *
     * @return why the packet is malformed, or null
     */
    private String inspect(ByteBuf in, int at, int size) {
        int type = in.getUnsignedByte(at) >> 4;
        if (!connectSeen) {
            connectSeen = true;
            mqtt311 = type == 1 && protocolLevel(in, at, size) == 4;
            return null;
        }
        if (type != 8 || !mqtt311) {
            return null;
        }
        int end = at + size;
        int pos = bodyStart(in, at) + 2; // after the packet identifier
        while (pos + 2 <= end) {
            pos += 2 + in.getUnsignedShort(pos);
            if (pos >= end) {
                return null; // truncated: the decoder reports it
            }
            if ((in.getUnsignedByte(pos++) & 0xFC) != 0) {
                // [MQTT-3.8.3-4] reserved bits 2-7 of the requested QoS byte must be 0
                return "SUBSCRIBE with reserved bits set in a requested QoS byte";
            }
        }
        return null;
    }

    /** The protocol level byte of a complete CONNECT, or -1 when the packet is too short to hold it. */
    private static int protocolLevel(ByteBuf in, int at, int size) {
        int body = bodyStart(in, at);
        int end = at + size;
        if (body + 2 > end) {
            return -1;
        }
        int levelAt = body + 2 + in.getUnsignedShort(body);
        return levelAt < end ? in.getUnsignedByte(levelAt) : -1;
    }

    /** Where the variable header of the complete packet at {@code at} starts (after its Remaining Length). */
    private static int bodyStart(ByteBuf in, int at) {
        int i = at + 1;
        while ((in.getByte(i) & 0x80) != 0) {
            i++;
        }
        return i + 1;
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, String why) {
        failed = true;
        in.skipBytes(in.readableBytes());
        LOG.infof("%s: %s; closing", ctx.channel().remoteAddress(), why);
        ctx.close();
    }

    /** @return the size of the packet starting at {@code at}, {@link #INCOMPLETE} or {@link #MALFORMED} */
    private static long packetSize(ByteBuf in, int at, int end) {
        long length = 0;
        int multiplier = 1;
        for (int i = at + 1; i <= at + 4; i++) {
            if (i >= end) {
                return INCOMPLETE;
            }
            int digit = in.getByte(i) & 0xFF;
            length += (long) (digit & 0x7F) * multiplier;
            if ((digit & 0x80) == 0) {
                return (i + 1 - at) + length;
            }
            multiplier *= 128;
        }
        return MALFORMED;
    }
}
