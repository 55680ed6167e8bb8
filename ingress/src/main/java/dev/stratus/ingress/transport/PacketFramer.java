package dev.stratus.ingress.transport;

import dev.stratus.ingress.codec.ReasonCodes;
import dev.stratus.ingress.transport.PropertyRules.Problem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
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
 *   <li>what Netty's decoder cannot see or gets wrong in a CONNECT or SUBSCRIBE is checked on the whole packet by
 *       {@link PacketInspector}: close.</li>
 * </ul>
 * A packet may arrive in any number of reads (TCP segments, WebSocket frames [MQTT-6.0.0-2]). Netty's
 * {@code MqttDecoder} reports a packet whose variable header is split over two reads as too long, so it is given
 * complete packets only. This holds at most one incomplete packet, of at most the maximum size. The complete
 * packets of a read pass on together as one slice: no copy.
 * <p>
 * On MQTT 5 the connection is told why before it is closed [MQTT5-4.13.1-1]: DISCONNECT 0x95 for a packet too
 * large [MQTT5-3.2.2-15], 0x81 for a malformed one, 0x82 for a protocol error; CONNACK with that code when the
 * CONNECT itself is wrong.
 */
final class PacketFramer extends ByteToMessageDecoder {

    private static final Logger LOG = Logger.getLogger(PacketFramer.class);
    private static final int INCOMPLETE = -1;
    private static final int MALFORMED = -2;

    private final int maxPacketSize;
    private boolean failed;
    /** Whether a first packet (the CONNECT) has been passed on. */
    private boolean connectPassed;
    private final PacketInspector inspector = new PacketInspector();

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
        Problem invalid = null;
        while (true) {
            long size = packetSize(in, complete, end);
            if (size == MALFORMED || size > maxPacketSize) {
                if (complete > start) {
                    out.add(in.readRetainedSlice(complete - start)); // what came before is handled first
                    connectPassed = true;
                }
                fail(ctx, in, size == MALFORMED
                        ? Problem.malformed("malformed Remaining Length (more than four bytes)")
                        : new Problem(ReasonCodes.PACKET_TOO_LARGE,
                                "packet of " + size + " bytes exceeds the maximum of " + maxPacketSize));
                return;
            }
            if (size == INCOMPLETE || complete + size > end) {
                break;
            }
            invalid = inspector.inspect(in, complete, (int) size);
            if (invalid != null) {
                break;
            }
            complete += (int) size;
        }
        if (complete > start) {
            out.add(in.readRetainedSlice(complete - start));
            connectPassed = true;
        }
        if (invalid != null) {
            fail(ctx, in, invalid);
        }
    }


    private void fail(ChannelHandlerContext ctx, ByteBuf in, Problem problem) {
        failed = true;
        in.skipBytes(in.readableBytes());
        LOG.infof("%s: %s; closing", ctx.channel().remoteAddress(), problem.why());
        if (!inspector.mqtt5()) {
            ctx.close();
            return;
        }
        int code = problem.reasonCode();
        // before the decoder has passed the CONNECT on, the answer is a CONNACK; afterwards a DISCONNECT
        byte[] packet = connectPassed
                ? new byte[] {(byte) 0xE0, 2, (byte) code, 0}
                : new byte[] {0x20, 3, 0, (byte) code, 0};
        // after the packets of this read that came before it have been handled
        ctx.executor().execute(() ->
                ctx.writeAndFlush(Unpooled.wrappedBuffer(packet)).addListener(ChannelFutureListener.CLOSE));
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
