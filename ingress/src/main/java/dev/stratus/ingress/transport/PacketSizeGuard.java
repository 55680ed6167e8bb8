package dev.stratus.ingress.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.jboss.logging.Logger;

/**
 * Watches the byte stream in front of the MQTT decoder and closes the connection as soon as a fixed header
 * announces a packet larger than the maximum, or a Remaining Length longer than four bytes [MQTT-2.2.3].
 * Netty's decoder would otherwise buffer the whole oversized packet before rejecting it: a client could make the
 * broker hold up to 256 MB per connection.
 * <p>
 * It does not copy or frame: buffers pass through unchanged while it tracks packet boundaries.
 */
final class PacketSizeGuard extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(PacketSizeGuard.class);

    private enum State { TYPE, LENGTH, BODY }

    private final int maxPacketSize;
    private State state = State.TYPE;
    private int lengthBytes;
    private int length;
    private int multiplier;
    private long bodyLeft;
    private boolean failed;

    PacketSizeGuard(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        String problem = scan(buf);
        if (problem != null) {
            failed = true;
            ReferenceCountUtil.release(msg);
            LOG.infof("%s: %s; closing", ctx.channel().remoteAddress(), problem);
            ctx.close();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** @return why the stream is unacceptable, or null */
    String scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            switch (state) {
                case TYPE -> {
                    i++;
                    state = State.LENGTH;
                    lengthBytes = 0;
                    length = 0;
                    multiplier = 1;
                }
                case LENGTH -> {
                    byte b = buf.getByte(i++);
                    lengthBytes++;
                    length += (b & 0x7F) * multiplier;
                    if ((b & 0x80) == 0) {
                        long packetSize = 1L + lengthBytes + length;
                        if (packetSize > maxPacketSize) {
                            return "packet of " + packetSize + " bytes exceeds the maximum of " + maxPacketSize;
                        }
                        bodyLeft = length;
                        state = length == 0 ? State.TYPE : State.BODY;
                    } else if (lengthBytes == 4) {
                        return "malformed Remaining Length (more than four bytes)";
                    } else {
                        multiplier *= 128;
                    }
                }
                case BODY -> {
                    long skip = Math.min(bodyLeft, end - i);
                    bodyLeft -= skip;
                    i += (int) skip;
                    if (bodyLeft == 0) {
                        state = State.TYPE;
                    }
                }
            }
        }
        return null;
    }
}
