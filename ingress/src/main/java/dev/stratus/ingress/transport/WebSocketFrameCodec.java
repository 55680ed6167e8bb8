package dev.stratus.ingress.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * MQTT over WebSocket: the MQTT byte stream travels in binary frames, and a frame boundary need not be a packet
 * boundary [MQTT-6.0.0-2]; text frames close the connection [MQTT-6.0.0-1]. Outbound bytes become one binary
 * frame per write. An HTTP request for any other path than the MQTT one gets 404.
 */
final class WebSocketFrameCodec extends MessageToMessageCodec<Object, ByteBuf> {

    private static final Logger LOG = Logger.getLogger(WebSocketFrameCodec.class);

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
        out.add(new BinaryWebSocketFrame(msg.retain()));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            out.add(((WebSocketFrame) msg).content().retain());
        } else if (msg instanceof WebSocketFrame frame) {
            LOG.infof("%s: %s on the MQTT WebSocket; closing", ctx.channel().remoteAddress(),
                    frame.getClass().getSimpleName());
            ctx.close();
        } else if (msg instanceof FullHttpRequest request) {
            LOG.debugf("%s: HTTP %s %s is not the MQTT endpoint", ctx.channel().remoteAddress(), request.method(),
                    request.uri());
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                    HttpResponseStatus.NOT_FOUND);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }
}
