package dev.stratus.ingress.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The subprotocol the server selects must be "mqtt" [MQTT-6.0.0-4]. Netty's handshaker takes the first name the
 * client offers that the server supports, so an offer of "mqttv3.1.1, mqtt" would select "mqttv3.1.1". When the
 * offer includes "mqtt", this narrows it to "mqtt" before the handshake; a client that offers only a legacy name
 * (mqttv3.1, mqttv3.1.1) still gets that name.
 */
@ChannelHandler.Sharable
final class SubprotocolPreference extends ChannelInboundHandlerAdapter {

    static final SubprotocolPreference INSTANCE = new SubprotocolPreference();

    private SubprotocolPreference() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            for (String header : request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
                for (String name : header.split(",")) {
                    if (name.trim().equals("mqtt")) {
                        request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "mqtt");
                        ctx.fireChannelRead(msg);
                        return;
                    }
                }
            }
        }
        ctx.fireChannelRead(msg);
    }
}
