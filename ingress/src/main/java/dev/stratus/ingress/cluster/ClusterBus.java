package dev.stratus.ingress.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The nodes' inboxes on Redis pub/sub: each node subscribes to its own channel {@code <prefix>:node:<id>} on a
 * dedicated connection and others {@code PUBLISH} frames to it: one Redis hop per forwarded message. When the
 * subscription connection is lost the bus reconnects with backoff (50 ms doubling to 2 s) and subscribes again;
 * {@link #isSubscribed()} says whether the inbox is listening now.
 */
final class ClusterBus implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClusterBus.class);
    private static final long MIN_RETRY_MS = 50;
    private static final long MAX_RETRY_MS = 2_000;

    private final Vertx vertx;
    private final Redis redis;
    private final String prefix;
    private final String inbox;
    private final Consumer<byte[]> receiver;
    private RedisConnection connection;
    /** The connection batches are published on, in order. */
    private Future<RedisConnection> publisher;
    /** The one thread that hands batches to that connection, so that they leave in the order they came. */
    private final io.netty.util.concurrent.DefaultEventExecutor sender =
            new io.netty.util.concurrent.DefaultEventExecutor(new io.netty.util.concurrent.DefaultThreadFactory(
                    "stratus-cluster-sender", true));
    private volatile boolean subscribed;
    private long retryDelay = MIN_RETRY_MS;
    private volatile boolean closed;
    /** Runs each time the inbox is subscribed again after a loss (the route replica may have missed changes). */
    private final Runnable onResubscribed;

    ClusterBus(Vertx vertx, Redis redis, String prefix, String nodeId, Consumer<byte[]> receiver,
               Runnable onResubscribed) {
        this.vertx = vertx;
        this.redis = redis;
        this.prefix = prefix;
        this.inbox = channel(nodeId);
        this.receiver = receiver;
        this.onResubscribed = onResubscribed;
    }

    private String channel(String nodeId) {
        return prefix + ":node:" + nodeId;
    }

    /** Subscribes the inbox; completes once it listens. */
    CompletionStage<Void> start() {
        return subscribe(false).toCompletionStage();
    }

    boolean isSubscribed() {
        return subscribed;
    }

    /**
     * Sends a payload to a node's inbox, on the pooled client (order not kept between calls): for the rare
     * takeover frames. @return how many inboxes got it (0: that node is not listening)
     */
    CompletionStage<Long> send(String nodeId, byte[] payload) {
        return redis.send(Request.cmd(Command.PUBLISH).arg(channel(nodeId)).arg(batchOf(payload)))
                .map(Response::toLong).toCompletionStage();
    }

    private static byte[] batchOf(byte[] frame) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(frame.length + 4);
        ClusterFrame.appendToBatch(b, frame);
        return b.toByteArray();
    }

    /**
     * Sends a batch on the one publishing connection: calls in order reach Redis, and so the target, in order.
     * Opens that connection on first use and again after it was lost.
     */
    CompletionStage<Long> sendOrdered(String nodeId, byte[] batch) {
        Request request = Request.cmd(Command.PUBLISH).arg(channel(nodeId)).arg(batch);
        java.util.concurrent.CompletableFuture<Long> result = new java.util.concurrent.CompletableFuture<>();
        // one thread submits every send, in the order of the calls: a Vert.x future completed on another thread
        // would run a caller's send at once on its context thread but queue another's, reordering them
        sender.execute(() -> {
            Future<RedisConnection> conn;
            synchronized (this) {
                if (publisher == null) {
                    publisher = redis.connect().onSuccess(c -> {
                        c.exceptionHandler(e -> dropPublisher(c));
                        c.endHandler(v -> dropPublisher(c));
                    }).onFailure(e -> dropPublisher(null));
                }
                conn = publisher;
            }
            if (!conn.isComplete()) {
                try {
                    conn.toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    // failed below
                }
            }
            if (conn.failed() || !conn.isComplete()) {
                result.completeExceptionally(conn.failed() ? conn.cause()
                        : new IllegalStateException("no connection to Redis for the cluster bus"));
                return;
            }
            conn.result().send(request).onComplete(r -> {
                if (r.succeeded()) {
                    result.complete(r.result().toLong());
                } else {
                    result.completeExceptionally(r.cause());
                }
            });
        });
        return result;
    }

    private synchronized void dropPublisher(RedisConnection lost) {
        if (publisher != null && (lost == null || (publisher.succeeded() && publisher.result() == lost))) {
            publisher = null;
        }
    }

    private Future<Void> subscribe(boolean again) {
        return redis.connect().compose(conn -> {
            synchronized (this) {
                if (closed) {
                    conn.close();
                    return Future.succeededFuture();
                }
                connection = conn;
            }
            conn.handler(this::onMessage);
            conn.exceptionHandler(e -> lost(conn, e));
            conn.endHandler(v -> lost(conn, null));
            return conn.send(Request.cmd(Command.SUBSCRIBE).arg(inbox)).<Void>mapEmpty().onSuccess(v -> {
                subscribed = true;
                retryDelay = MIN_RETRY_MS;
                if (again) {
                    LOG.infof("cluster inbox %s subscribed again", inbox);
                    onResubscribed.run();
                }
            });
        }).onFailure(e -> {
            LOG.debugf("cluster inbox %s: subscribe failed: %s", inbox, e.getMessage());
            scheduleRetry();
        });
    }

    private void onMessage(Response push) {
        if (push == null || push.size() != 3 || !"message".equals(String.valueOf(push.get(0)))) {
            return;
        }
        try {
            receiver.accept(push.get(2).toBytes()); // a batch of frames
        } catch (RuntimeException e) {
            LOG.warnf(e, "cluster inbox %s: could not handle a frame", inbox);
        }
    }

    private void lost(RedisConnection conn, Throwable error) {
        synchronized (this) {
            if (connection != conn) {
                return;
            }
            connection = null;
        }
        subscribed = false;
        LOG.warnf("cluster inbox %s: connection to Redis lost%s; reconnecting", inbox,
                error == null ? "" : " (" + error.getMessage() + ")");
        conn.close();
        scheduleRetry();
    }

    private void scheduleRetry() {
        if (closed) {
            return;
        }
        long delay;
        synchronized (this) {
            delay = retryDelay;
            retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS);
        }
        vertx.setTimer(delay, id -> {
            if (!closed) {
                subscribe(true);
            }
        });
    }

    @Override
    public void close() {
        RedisConnection current;
        synchronized (this) {
            closed = true;
            current = connection;
            connection = null;
        }
        subscribed = false;
        if (current != null) {
            current.close();
        }
        Future<RedisConnection> pub;
        synchronized (this) {
            pub = publisher;
            publisher = null;
        }
        if (pub != null) {
            pub.onSuccess(RedisConnection::close);
        }
        sender.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
}
