package dev.stratus.ingress.codec;

import dev.stratus.state.model.MessageProperties;
import dev.stratus.state.model.StoredMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttEncoder;

/**
 * Encodes the broker's outgoing PUBLISH packets (MQTT 3.1.1 and 5). The fixed header, topic, packet id and
 * properties go into one pooled buffer; a small payload is copied behind them, so one small message is one buffer;
 * a large payload is written as a second buffer that wraps the direct memory shared by all subscribers, so it is
 * never copied per subscriber. Every other MQTT packet is encoded by Netty's MqttEncoder, called from here: one
 * pipeline stage (and one handler context per connection) for both; anything else passes on unchanged.
 * <p>
 * MQTT 5 properties are forwarded unchanged [MQTT5-3.3.2-4] [MQTT5-3.3.2-15..20], user properties in their order [MQTT5-3.3.2-18];
 * an MQTT 3.1.1 receiver gets none of them.
 */
@ChannelHandler.Sharable
public final class PublishEncoder extends ChannelOutboundHandlerAdapter {

    public static final PublishEncoder INSTANCE = new PublishEncoder();

    private PublishEncoder() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (!(msg instanceof OutgoingPublish publish)) {
            // a sharable encoder that keeps no state per context: it writes what it encodes through ours
            MqttEncoder.INSTANCE.write(ctx, msg, promise);
            return;
        }
        StoredMessage m = publish.message();
        OutgoingPublish.Mqtt5Publish v5 = publish.v5();
        boolean omitTopic = v5 != null && v5.omitTopic();
        byte[] topicUtf8 = publish.topicUtf8(); // encoded once per message when routed
        int topicLength = omitTopic ? 0 : topicUtf8 != null ? topicUtf8.length : ByteBufUtil.utf8Bytes(m.topic());
        int propertiesLength = v5 == null ? 0 : propertiesLength(m, v5);
        int payloadLength = m.payload().length;
        int variableHeader = 2 + topicLength + (m.qos() > 0 ? 2 : 0)
                + (v5 == null ? 0 : remainingLengthBytes(propertiesLength) + propertiesLength);
        int remaining = variableHeader + payloadLength;
        boolean share = publish.sharedPayload() != null;
        int headerSize = 1 + remainingLengthBytes(remaining) + variableHeader;
        ByteBuf buf = ctx.alloc().buffer(share ? headerSize : headerSize + payloadLength);
        buf.writeByte(0x30 | (publish.dup() ? 0x08 : 0) | (m.qos() << 1) | (m.retain() ? 0x01 : 0));
        writeRemainingLength(buf, remaining);
        buf.writeShort(topicLength);
        if (omitTopic) {
            // topic given by the alias
        } else if (topicUtf8 != null) {
            buf.writeBytes(topicUtf8);
        } else {
            ByteBufUtil.writeUtf8(buf, m.topic());
        }
        if (m.qos() > 0) {
            buf.writeShort(publish.packetId());
        }
        if (v5 != null) {
            writeRemainingLength(buf, propertiesLength);
            writeProperties(buf, m, v5);
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

    /** The size of the whole PUBLISH packet as it would be encoded, to hold it to a client's Maximum Packet Size. */
    public static int packetSize(StoredMessage m, int topicLength, OutgoingPublish.Mqtt5Publish v5) {
        int propertiesLength = v5 == null ? 0 : propertiesLength(m, v5);
        int remaining = 2 + topicLength + (m.qos() > 0 ? 2 : 0)
                + (v5 == null ? 0 : remainingLengthBytes(propertiesLength) + propertiesLength) + m.payload().length;
        return 1 + remainingLengthBytes(remaining) + remaining;
    }

    private static int propertiesLength(StoredMessage m, OutgoingPublish.Mqtt5Publish v5) {
        MessageProperties p = m.properties();
        int n = 0;
        if (p.payloadFormatIndicator() != null) {
            n += 2;
        }
        if (v5.expirySeconds() >= 0) {
            n += 5;
        }
        if (p.contentType() != null) {
            n += 3 + ByteBufUtil.utf8Bytes(p.contentType());
        }
        if (p.responseTopic() != null) {
            n += 3 + ByteBufUtil.utf8Bytes(p.responseTopic());
        }
        if (p.correlationData() != null) {
            n += 3 + p.correlationData().length;
        }
        for (MessageProperties.UserProperty u : p.userProperties()) {
            n += 5 + ByteBufUtil.utf8Bytes(u.name()) + ByteBufUtil.utf8Bytes(u.value());
        }
        if (v5.topicAlias() != 0) {
            n += 3;
        }
        if (v5.subscriptionIds() != null) {
            for (int id : v5.subscriptionIds()) {
                n += 1 + remainingLengthBytes(id);
            }
        }
        return n;
    }

    private static void writeProperties(ByteBuf buf, StoredMessage m, OutgoingPublish.Mqtt5Publish v5) {
        MessageProperties p = m.properties();
        if (p.payloadFormatIndicator() != null) {
            buf.writeByte(0x01).writeByte(p.payloadFormatIndicator());
        }
        if (v5.expirySeconds() >= 0) {
            buf.writeByte(0x02).writeInt((int) v5.expirySeconds());
        }
        if (p.contentType() != null) {
            writeString(buf.writeByte(0x03), p.contentType());
        }
        if (p.responseTopic() != null) {
            writeString(buf.writeByte(0x08), p.responseTopic());
        }
        if (p.correlationData() != null) {
            buf.writeByte(0x09).writeShort(p.correlationData().length).writeBytes(p.correlationData());
        }
        if (v5.subscriptionIds() != null) {
            for (int id : v5.subscriptionIds()) {
                buf.writeByte(0x0B);
                writeRemainingLength(buf, id);
            }
        }
        if (v5.topicAlias() != 0) {
            buf.writeByte(0x23).writeShort(v5.topicAlias());
        }
        for (MessageProperties.UserProperty u : p.userProperties()) {
            writeString(buf.writeByte(0x26), u.name());
            writeString(buf, u.value());
        }
    }

    private static void writeString(ByteBuf buf, String s) {
        int lengthAt = buf.writerIndex();
        buf.writeShort(0);
        int written = ByteBufUtil.writeUtf8(buf, s);
        buf.setShort(lengthAt, written);
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
