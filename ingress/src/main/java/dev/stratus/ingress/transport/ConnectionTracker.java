package dev.stratus.ingress.transport;

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

    ChannelGroupFuture closeAll() {
        return channels.close();
    }
}
