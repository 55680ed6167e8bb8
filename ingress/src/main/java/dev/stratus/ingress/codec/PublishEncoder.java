package dev.stratus.ingress.codec;

import dev.stratus.state.model.StoredMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Encodes the broker's outgoing PUBLISH packets (MQTT 3.1.1). The fixed header, topic and packet id go into one
 * pooled buffer; a small payload is copied behind them, so one small message is one buffer; a large payload is
 * written as a second buffer that wraps the direct memory shared by all subscribers, so it is never copied per
 * subscriber. Every other packet passes on to Netty's MqttEncoder.
 */
@ChannelHandler.Sharable
public final class PublishEncoder extends ChannelOutboundHandlerAdapter {

    public static final PublishEncoder INSTANCE = new PublishEncoder();

    private PublishEncoder() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof OutgoingPublish publish)) {
            ctx.write(msg, promise);
            return;
        }
        StoredMessage m = publish.message();
        byte[] topicUtf8 = publish.topicUtf8(); // encoded once per message when routed
        int topicLength = topicUtf8 != null ? topicUtf8.length : ByteBufUtil.utf8Bytes(m.topic());
        int payloadLength = m.payload().length;
        int variableHeader = 2 + topicLength + (m.qos() > 0 ? 2 : 0);
        int remaining = variableHeader + payloadLength;
        boolean share = publish.sharedPayload() != null;
        int headerSize = 1 + remainingLengthBytes(remaining) + variableHeader;
        ByteBuf buf = ctx.alloc().buffer(share ? headerSize : headerSize + payloadLength);
        buf.writeByte(0x30 | (publish.dup() ? 0x08 : 0) | (m.qos() << 1) | (m.retain() ? 0x01 : 0));
        writeRemainingLength(buf, remaining);
        buf.writeShort(topicLength);
        if (topicUtf8 != null) {
            buf.writeBytes(topicUtf8);
        } else {
            ByteBufUtil.writeUtf8(buf, m.topic());
        }
        if (m.qos() > 0) {
            buf.writeShort(publish.packetId());
        }
        if (!share) {
            buf.writeBytes(m.payload());
            ctx.write(buf, promise);
            return;
        }
        // one composite write: a gathering write on the socket, and one frame on WebSocket
        ctx.write(ctx.alloc().compositeBuffer(2).addComponents(true, buf,
                Unpooled.wrappedBuffer(publish.sharedPayload().duplicate())), promise);
    }

    static int remainingLengthBytes(int value) {
        int n = 1;
        while (value > 127) {
            value >>>= 7;
            n++;
        }
        return n;
    }

    static void writeRemainingLength(ByteBuf buf, int value) {
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            if (value > 0) {
                digit |= 0x80;
            }
            buf.writeByte(digit);
        } while (value > 0);
    }
}
