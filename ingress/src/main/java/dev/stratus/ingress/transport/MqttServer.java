package dev.stratus.ingress.transport;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.protocol.ConnectionTimers;
import dev.stratus.ingress.protocol.PacketHandlers;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The MQTT listeners of one broker: TCP, TLS, WebSocket and secure WebSocket, each a Netty server channel on the
 * given event loops (in Quarkus, Vert.x's), all ending in the same connection handler. {@link #start()} and
 * {@link #stop(Duration)} block and must not be called on an event loop.
 */
public final class MqttServer {

    private static final Logger LOG = Logger.getLogger(MqttServer.class);

    private static final RecvByteBufAllocator RECV_ALLOCATOR =
            new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(16);

    private final Broker broker;
    private final EventLoopGroup group;
    private final PacketHandlers handlers = new PacketHandlers();
    private final ConnectionTracker tracker = new ConnectionTracker();
    private final ConnectionTimers timers;
    private final Map<Listener, Channel> bound = new EnumMap<>(Listener.class);

    public MqttServer(Broker broker, EventLoopGroup group) {
        this.broker = broker;
        this.group = group;
        this.timers = new ConnectionTimers(broker.config().limits().connectTimeout());
    }

    public synchronized void start() {
        BrokerConfig config = broker.config();
        SslContext ssl = config.tls() == null ? null : TlsContexts.serverContext(config.tls());
        bind(Listener.TCP, config.tcpPort(), null);
        bind(Listener.WS, config.wsPort(), null);
        if (ssl != null) {
            bind(Listener.TLS, config.tlsPort(), ssl);
            bind(Listener.WSS, config.wssPort(), ssl);
        }
    }

    private void bind(Listener listener, int port, SslContext ssl) {
        if (port < 0) {
            return;
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                // one allocator for all connections (each channel keeps its own handle): Netty's default is a new
                // one per channel; 16 messages per read is what a socket channel gets by default
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECV_ALLOCATOR)
                .childHandler(new MqttChannelInitializer(listener, broker, handlers, ssl, tracker, timers));
        Channel channel = bootstrap.bind(broker.config().host(), port).syncUninterruptibly().channel();
        bound.put(listener, channel);
        InetSocketAddress address = (InetSocketAddress) channel.localAddress();
        LOG.infof("MQTT %s listener on %s:%d%s", listener, address.getHostString(), address.getPort(),
                listener.webSocket() ? broker.config().wsPath() : "");
    }

    private Class<? extends ServerChannel> serverChannelClass() {
        // Vert.x runs NIO unless native transport is switched on; the channel type must match the loops
        if (group.getClass().getName().contains("Epoll")) {
            try {
                return Class.forName("io.netty.channel.epoll.EpollServerSocketChannel").asSubclass(ServerChannel.class);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("epoll event loops without netty-transport-native-epoll", e);
            }
        }
        return NioServerSocketChannel.class;
    }

    /** The port a listener is bound to, or -1 when it is not open. */
    public synchronized int port(Listener listener) {
        Channel c = bound.get(listener);
        return c == null ? -1 : ((InetSocketAddress) c.localAddress()).getPort();
    }

    /** Open client connections (network level, CONNECT accepted or not). */
    public int openConnections() {
        return tracker.size();
    }

    /**
     * Graceful shutdown: stop accepting, then close every connection; each hands its persistent session to the
     * store as it closes. Waits at most {@code grace}.
     */
    public synchronized void stop(Duration grace) {
        broker.beginShutdown();
        for (Channel c : bound.values()) {
            c.close().awaitUninterruptibly(grace.toMillis());
        }
        bound.clear();
        if (!tracker.closeAll().awaitUninterruptibly(grace.toMillis())) {
            LOG.warnf("some MQTT connections did not close within %s", grace);
        }
    }
}
