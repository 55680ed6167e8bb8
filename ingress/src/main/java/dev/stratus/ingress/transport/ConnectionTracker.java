package dev.stratus.ingress.transport;

import dev.stratus.ingress.protocol.MqttConnection;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/** The open client channels of a server, so that shutdown can close them all; closed channels leave by themselves. */
final class ConnectionTracker {

    private final ChannelGroup channels = new DefaultChannelGroup("mqtt-clients", GlobalEventExecutor.INSTANCE);

    void add(Channel channel) {
        channels.add(channel);
    }

    int size() {
        return channels.size();
    }

    /**
     * Closes every connection on its own event loop; an MQTT 5 client is first told DISCONNECT 0x8B, server
     * shutting down [MQTT5-4.13.2-1].
     */
    ChannelGroupFuture closeAll() {
        for (Channel channel : channels) {
            channel.eventLoop().execute(() -> {
                MqttConnection connection = channel.pipeline().get(MqttConnection.class);
                if (connection != null) {
                    connection.serverShutdown();
                } else {
                    channel.close();
                }
            });
        }
        return channels.newCloseFuture();
    }
}
