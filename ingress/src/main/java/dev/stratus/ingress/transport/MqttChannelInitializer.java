package dev.stratus.ingress.transport;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.codec.PublishEncoder;
import dev.stratus.ingress.protocol.ConnectionTimers;
import dev.stratus.ingress.protocol.MqttConnection;
import dev.stratus.ingress.protocol.PacketHandlers;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.ssl.SslContext;

/**
 * Builds the pipeline of one connection for a listener. TCP: [TLS] framer (packet limits), MQTT codec, connection.
 * WebSocket: [TLS] HTTP codec, upgrade on the MQTT path with subprotocols mqtt, mqttv3.1 and mqttv3.1.1, binary
 * frames to bytes, then the same MQTT stages. Every transport ends in the same {@link MqttConnection}.
 */
final class MqttChannelInitializer extends ChannelInitializer<SocketChannel> {

    /** Subprotocols offered on the WebSocket listeners; browsers send "mqtt" [MQTT-6.0.0-3]. */
    static final String SUBPROTOCOLS = "mqtt,mqttv3.1,mqttv3.1.1";
    private static final int MAX_CLIENT_ID_LENGTH = 65535;

    private final Listener listener;
    private final Broker broker;
    private final PacketHandlers handlers;
    private final SslContext sslContext;
    private final ConnectionTracker tracker;
    private final ConnectionTimers timers;

    MqttChannelInitializer(Listener listener, Broker broker, PacketHandlers handlers, SslContext sslContext,
                           ConnectionTracker tracker, ConnectionTimers timers) {
        this.timers = timers;
        this.listener = listener;
        this.broker = broker;
        this.handlers = handlers;
        this.sslContext = sslContext;
        this.tracker = tracker;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        tracker.add(ch);
        ChannelPipeline p = ch.pipeline();
        if (sslContext != null) {
            p.addLast(HandlerNames.TLS, sslContext.newHandler(ch.alloc()));
        }
        int maxPacketSize = broker.config().limits().maxPacketSize();
        if (listener.webSocket()) {
            p.addLast(HandlerNames.HTTP_CODEC, new HttpServerCodec());
            p.addLast(HandlerNames.HTTP_AGGREGATOR, new HttpObjectAggregator(64 * 1024));
            p.addLast(HandlerNames.SUBPROTOCOL, SubprotocolPreference.INSTANCE);
            p.addLast(HandlerNames.WEBSOCKET, new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                    .websocketPath(broker.config().wsPath())
                    .subprotocols(SUBPROTOCOLS)
                    .maxFramePayloadLength(maxPacketSize)
                    .handleCloseFrames(true)
                    .dropPongFrames(true)
                    .build()));
            p.addLast(HandlerNames.WEBSOCKET_FRAMES, new WebSocketFrameCodec());
        }
        p.addLast(HandlerNames.FRAMER, new PacketFramer(maxPacketSize));
        p.addLast(HandlerNames.MQTT_DECODER, new MqttDecoder(maxPacketSize, MAX_CLIENT_ID_LENGTH));
        p.addLast(HandlerNames.ENCODER, PublishEncoder.INSTANCE);
        p.addLast(HandlerNames.MQTT, new MqttConnection(broker, handlers, timers, listener.toString()));
    }
}
