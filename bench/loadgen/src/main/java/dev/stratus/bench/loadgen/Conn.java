package dev.stratus.bench.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One MQTT client connection. Frames are parsed in place from the cumulation buffer (no message objects);
 * acknowledgements produced while reading are batched into one buffer, written and flushed once per read.
 */
abstract class Conn extends ByteToMessageDecoder {
    final Opts o;
    final String clientId;
    final CompletableFuture<Conn> ready = new CompletableFuture<>();
    Channel ch;
    ChannelHandlerContext ctx;
    /** Receive Maximum announced by an MQTT 5 broker (65535 when absent). */
    int receiveMaximum = 65_535;
    volatile boolean closing;
    volatile String error;
    private ByteBuf acks;
    private final int[] prop = new int[1];

    Conn(Opts o, String clientId) {
        this.o = o;
        this.clientId = clientId;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ch = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ByteBuf b = ctx.alloc().buffer(64);
        Mqtt.connect(b, clientId, o.keepAlive, o.protocol, o.persistent);
        ctx.writeAndFlush(b);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!closing) {
            fail("connection closed by the broker");
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closing) {
            fail(cause.toString());
        }
        ctx.close();
    }

    void fail(String why) {
        if (error == null) {
            error = why;
        }
        ready.completeExceptionally(new IOException(clientId + ": " + why));
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            int start = in.readerIndex();
            int avail = in.readableBytes();
            if (avail < 2) {
                return;
            }
            int h = in.getUnsignedByte(start);
            int len = 0;
            int mul = 1;
            int i = 1;
            int b;
            do {
                if (i >= avail) {
                    return;
                }
                b = in.getUnsignedByte(start + i);
                len += (b & 0x7F) * mul;
                mul <<= 7;
                i++;
            } while ((b & 0x80) != 0 && i < 5);
            if (avail < i + len) {
                return;
            }
            int body = start + i;
            in.readerIndex(body + len);
            dispatch(h, in, body, len);
        }
    }

    private void dispatch(int h, ByteBuf in, int off, int len) {
        switch (h >> 4) {
            case 2 -> { // CONNACK
                int rc = in.getUnsignedByte(off + 1);
                if (rc != 0) {
                    fail("CONNACK return code 0x" + Integer.toHexString(rc));
                    ctx.close();
                    return;
                }
                if (o.protocol == 5 && len > 2) {
                    prop[0] = -1;
                    Mqtt.properties(in, off + 2, 0x21, prop);
                    if (prop[0] > 0) {
                        receiveMaximum = prop[0];
                    }
                }
                onConnack();
            }
            case 3 -> { // PUBLISH
                int qos = (h >> 1) & 3;
                int p = off + 2 + in.getUnsignedShort(off);
                int pid = 0;
                if (qos > 0) {
                    pid = in.getUnsignedShort(p);
                    p += 2;
                }
                if (o.protocol == 5) {
                    p = Mqtt.properties(in, p, -1, null);
                }
                onPublish(in, p, off + len - p, (h & 0x08) != 0);
                if (qos == 1) {
                    ack(Mqtt.PUBACK, pid);
                } else if (qos == 2) {
                    ack(Mqtt.PUBREC, pid);
                }
            }
            case 4 -> onPuback(in.getUnsignedShort(off), len > 2 ? in.getUnsignedByte(off + 2) : 0);
            case 5 -> {
                int pid = in.getUnsignedShort(off);
                int rc = len > 2 ? in.getUnsignedByte(off + 2) : 0;
                if (rc < 0x80) {
                    ack(Mqtt.PUBREL, pid);
                }
                onPubrec(pid, rc);
            }
            case 6 -> ack(Mqtt.PUBCOMP, in.getUnsignedShort(off));
            case 7 -> onPubcomp(in.getUnsignedShort(off), len > 2 ? in.getUnsignedByte(off + 2) : 0);
            case 9 -> { // SUBACK
                int p = off + 2;
                if (o.protocol == 5) {
                    p = Mqtt.properties(in, p, -1, null);
                }
                int rc = in.getUnsignedByte(p);
                if (rc >= 0x80) {
                    fail("SUBACK return code 0x" + Integer.toHexString(rc));
                    return;
                }
                onSuback(rc);
            }
            case 13 -> {
                // PINGRESP
            }
            case 14 -> {
                fail("DISCONNECT from the broker"
                        + (len > 0 ? " reason 0x" + Integer.toHexString(in.getUnsignedByte(off)) : ""));
                ctx.close();
            }
            default -> {
                fail("unexpected packet type " + (h >> 4));
                ctx.close();
            }
        }
    }

    final void ack(int firstByte, int pid) {
        if (acks == null) {
            acks = ctx.alloc().directBuffer(1024);
        }
        Mqtt.ack(acks, firstByte, pid);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        super.channelReadComplete(ctx);
        afterRead();
        if (acks != null) {
            ByteBuf b = acks;
            acks = null;
            ctx.writeAndFlush(b, ctx.voidPromise());
        }
    }

    /** Closes politely (DISCONNECT) from any thread. */
    void close() {
        closing = true;
        if (ch != null && ch.isActive()) {
            ch.eventLoop().execute(() -> {
                ByteBuf b = ch.alloc().buffer(2);
                Mqtt.disconnect(b);
                ch.writeAndFlush(b).addListener(f -> ch.close());
            });
        }
    }

    void onConnack() {
        ready.complete(this);
    }

    void onSuback(int grantedQos) {
    }

    void onPublish(ByteBuf in, int payloadOff, int payloadLen, boolean dup) {
    }

    void onPuback(int pid, int reason) {
    }

    void onPubrec(int pid, int reason) {
    }

    void onPubcomp(int pid, int reason) {
    }

    void afterRead() {
    }
}
