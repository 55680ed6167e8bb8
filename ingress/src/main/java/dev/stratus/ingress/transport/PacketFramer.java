package dev.stratus.ingress.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Hands the MQTT decoder whole packets only. A packet may arrive in any number of reads (TCP segments, WebSocket
 * frames [MQTT-6.0.0-2]), but Netty's {@code MqttDecoder} (a {@code ReplayingDecoder}) reports a packet whose
 * variable header is split over two reads as too long: it compares the replaying buffer's unbounded
 * {@code readableBytes()} with the maximum. A CONNECT, a PUBLISH topic or a packet id straddling a segment
 * boundary would close a well-behaved client's connection.
 * <p>
 * Sits behind {@link PacketSizeGuard}, which has already closed the connection for a Remaining Length over four
 * bytes or a packet over the maximum size, so this holds at most one incomplete packet of at most that size.
 * Complete packets pass on together, as a slice of what was read.
 */
final class PacketFramer extends ByteToMessageDecoder {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int complete = start;
        while (true) {
            int size = packetSize(in, complete, end);
            if (size < 0 || complete + size > end) {
                break;
            }
            complete += size;
        }
        if (complete > start) {
            // every complete packet of this read in one buffer: one decoder pass, no copy
            out.add(in.readRetainedSlice(complete - start));
        }
    }

    /** @return the size of the packet starting at {@code at}, or -1 while its fixed header is incomplete */
    private static int packetSize(ByteBuf in, int at, int end) {
        int length = 0;
        int multiplier = 1;
        int i = at + 1;
        while (true) {
            if (i >= end || i > at + 4) {
                return -1; // incomplete header (a longer one never gets here: the guard closes first)
            }
            int digit = in.getByte(i++) & 0xFF;
            length += (digit & 0x7F) * multiplier;
            if ((digit & 0x80) == 0) {
                return i - at + length;
            }
            multiplier *= 128;
        }
    }
}
