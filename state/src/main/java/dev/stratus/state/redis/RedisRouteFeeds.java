package dev.stratus.state.redis;

import dev.stratus.state.RouteFeed;
import dev.stratus.state.RouteListener;
import dev.stratus.state.StateStoreException;
import dev.stratus.state.model.RouteChange;
import dev.stratus.state.model.TenantId;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The route change feeds of one {@link RedisRouteStore}: one dedicated pub/sub connection (one slot of the client's
 * pool, whatever the number of tenants watched) subscribed to the channel of every watched tenant.
 * <p>
 * When the connection is lost, it reconnects with exponential back-off ({@value #MIN_RETRY_MS} ms up to
 * {@value #MAX_RETRY_MS} ms), subscribes to every channel again, and then calls {@link RouteListener#onResync} on
 * every listener, because changes published while it was away are gone (Redis pub/sub does not keep messages).
 * State is guarded by this object's monitor; listeners are called outside it, on the connection's event loop, in
 * the order Redis delivered the messages.
 */
final class RedisRouteFeeds {

    static final long MIN_RETRY_MS = 50;
    static final long MAX_RETRY_MS = 2_000;

    private final RedisCalls calls;
    private final Map<String, Channel> channels = new HashMap<>();
    private RedisConnection connection;
    private Future<RedisConnection> connecting;
    private long retryDelay = MIN_RETRY_MS;
    private long retryTimer = -1;
    private boolean closed;

    RedisRouteFeeds(RedisCalls calls) {
        this.calls = calls;
    }

    CompletionStage<RouteFeed> watch(TenantId tenant, String channelName, RouteListener listener) {
        Channel channel;
        synchronized (this) {
            if (closed) {
                return Future.<RouteFeed>failedFuture(new StateStoreException("routes.watch: the route store is closed"))
                        .toCompletionStage();
            }
            channel = channels.computeIfAbsent(channelName, name -> new Channel(tenant, name));
            channel.listeners.add(listener);
            if (channel.subscribed == null || channel.subscribed.failed()) {
                channel.subscribed = connection().compose(conn -> subscribe(conn, List.of(channelName)));
            }
        }
        RouteFeed feed = () -> unwatch(channel, listener);
        return channel.subscribed
                .<RouteFeed>map(v -> feed)
                .onFailure(error -> feed.close())
                .toCompletionStage();
    }

    void close() {
        RedisConnection current;
        synchronized (this) {
            closed = true;
            channels.clear();
            current = connection;
            connection = null;
            if (retryTimer >= 0) {
                calls.vertx().cancelTimer(retryTimer);
            }
        }
        if (current != null) {
            current.close();
        }
    }

    private void unwatch(Channel channel, RouteListener listener) {
        RedisConnection current;
        synchronized (this) {
            channel.listeners.remove(listener);
            if (!channel.listeners.isEmpty() || channels.get(channel.name) != channel) {
                return;
            }
            channels.remove(channel.name);
            current = connection;
        }
        if (current != null) {
            current.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel.name));
        }
    }

    /** The pub/sub connection, opening it if needed. */
    private synchronized Future<RedisConnection> connection() {
        if (connection != null) {
            return Future.succeededFuture(connection);
        }
        if (connecting != null) {
            return connecting;
        }
        Future<RedisConnection> raw = calls.redis().connect();
        Future<RedisConnection> attempt = calls.guard("routes.watch", () -> raw);
        raw.onSuccess(conn -> {
            if (attempt.failed()) {
                conn.close(); // connected after the timeout gave up on it
            }
        });
        connecting = attempt;
        // may run at once (a pooled connection was free), which clears connecting again
        attempt.onComplete(result -> onConnected(attempt, result.succeeded() ? result.result() : null));
        return attempt;
    }

    private void onConnected(Future<RedisConnection> attempt, RedisConnection conn) {
        boolean stale;
        synchronized (this) {
            if (connecting == attempt) {
                connecting = null;
            }
            stale = closed || conn == null;
            if (!stale) {
                connection = conn;
            }
        }
        if (conn == null) {
            return;
        }
        if (stale) {
            conn.close();
            return;
        }
        conn.handler(this::onMessage);
        conn.exceptionHandler(error -> lost(conn));
        conn.endHandler(v -> lost(conn));
    }

    private Future<Void> subscribe(RedisConnection conn, List<String> names) {
        Request request = Request.cmd(Command.SUBSCRIBE);
        names.forEach(request::arg);
        return calls.guard("routes.watch", () -> conn.send(request)).mapEmpty();
    }

    private void lost(RedisConnection conn) {
        synchronized (this) {
            if (connection != conn) {
                return;
            }
            connection = null;
            channels.values().forEach(channel -> channel.subscribed = null);
        }
        conn.close();
        scheduleReconnect();
    }

    private synchronized void scheduleReconnect() {
        if (closed || channels.isEmpty() || retryTimer >= 0) {
            return;
        }
        long delay = retryDelay;
        retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS);
        retryTimer = calls.vertx().setTimer(delay, id -> {
            synchronized (this) {
                retryTimer = -1;
            }
            reconnect();
        });
    }

    private void reconnect() {
        List<String> names;
        synchronized (this) {
            if (closed || channels.isEmpty()) {
                return;
            }
            names = new ArrayList<>(channels.keySet());
        }
        Future<Void> resubscribed = connection().compose(conn -> subscribe(conn, names));
        synchronized (this) {
            for (String name : names) {
                Channel channel = channels.get(name);
                if (channel != null) {
                    channel.subscribed = resubscribed;
                }
            }
        }
        resubscribed.onComplete(result -> {
            if (result.failed()) {
                RedisConnection current;
                synchronized (this) {
                    current = connection;
                    connection = null;
                }
                if (current != null) {
                    current.close();
                }
                scheduleReconnect();
                return;
            }
            List<Channel> resynced;
            synchronized (this) {
                retryDelay = MIN_RETRY_MS;
                resynced = new ArrayList<>(channels.values());
            }
            for (Channel channel : resynced) {
                for (RouteListener listener : channel.listeners) {
                    listener.onResync(channel.tenant);
                }
            }
        });
    }

    private void onMessage(Response push) {
        if (push == null || push.size() != 3 || !"message".equals(Responses.string(push.get(0)))) {
            return; // subscribe confirmations and other pushes
        }
        Channel channel;
        synchronized (this) {
            channel = channels.get(Responses.string(push.get(1)));
        }
        if (channel == null) {
            return;
        }
        RouteChange change = parse(channel.tenant, Responses.bytes(push.get(2)));
        for (RouteListener listener : channel.listeners) {
            listener.onChange(change);
        }
    }

    /** {@code "<version>:<+|->:<node>\0<filter>"}, as the route scripts publish it. */
    static RouteChange parse(TenantId tenant, byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8);
        int first = text.indexOf(':');
        int nul = text.indexOf('\0');
        if (first < 0 || first + 3 > text.length() || text.charAt(first + 2) != ':' || nul < first + 3) {
            throw new StateStoreException("corrupt route change: " + text);
        }
        long version = Long.parseLong(text.substring(0, first));
        boolean added = text.charAt(first + 1) == '+';
        return new RouteChange(tenant, version, text.substring(nul + 1), text.substring(first + 3, nul), added);
    }

    /** A watched tenant channel and its listeners. */
    private static final class Channel {
        final TenantId tenant;
        final String name;
        final List<RouteListener> listeners = new CopyOnWriteArrayList<>();
        Future<Void> subscribed;

        Channel(TenantId tenant, String name) {
            this.tenant = tenant;
            this.name = name;
        }
    }
}
