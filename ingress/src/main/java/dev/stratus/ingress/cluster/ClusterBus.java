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
    private static final long PUBLISHER_WAIT_MS = 5_000;
    /** The context every ordered send runs on, in order; it opens the publishing connection too. */
    private final io.vertx.core.Context sendContext;
    /** The connection batches are published on, in order (only touched on {@link #sendContext}). */
    private RedisConnection publisher;
    private boolean connectingPublisher;
    private long publisherAttempt;
    /** After a failed connection attempt: sends are refused until then (backoff as for the inboxes). */
    private Throwable lastPublisherError;
    private long nextPublisherAttemptAt;
    private long publisherRetryDelay = MIN_RETRY_MS;
    private final java.util.ArrayDeque<Queued> waitingForPublisher = new java.util.ArrayDeque<>();
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
        this.sendContext = ((io.vertx.core.impl.VertxInternal) vertx).createEventLoopContext();
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
     * <p>
     * Every send runs as a task of one Vert.x context, which also opened the connection: tasks of a context run in
     * the order they were submitted, and the connection's own {@code send} then writes at once (it is on its
     * context), so batches leave in the order of the calls. (A send made directly from the callers' threads would
     * write at once on the connection's event loop but be queued from another, reordering them; a dedicated
     * sender thread kept the order at the cost of one more thread hop per batch.)
     */
    CompletionStage<Long> sendOrdered(String nodeId, byte[] batch) {
        Request request = Request.cmd(Command.PUBLISH).arg(channel(nodeId)).arg(batch);
        java.util.concurrent.CompletableFuture<Long> result = new java.util.concurrent.CompletableFuture<>();
        sendContext.runOnContext(v -> sendOnContext(request, result));
        return result;
    }

    private record Queued(Request request, java.util.concurrent.CompletableFuture<Long> result) {
    }

    /** On {@link #sendContext}: in order of the calls. */
    private void sendOnContext(Request request, java.util.concurrent.CompletableFuture<Long> result) {
        if (closed) {
            result.completeExceptionally(new IllegalStateException("cluster bus closed"));
            return;
        }
        if (publisher != null && waitingForPublisher.isEmpty()) {
            write(publisher, request, result);
            return;
        }
        if (!connectingPublisher && lastPublisherError != null
                && System.currentTimeMillis() < nextPublisherAttemptAt) {
            // Redis refused a moment ago: refused at once rather than a connection attempt per batch
            result.completeExceptionally(lastPublisherError);
            return;
        }
        waitingForPublisher.add(new Queued(request, result));
        if (!connectingPublisher) {
            connectingPublisher = true;
            long attempt = ++publisherAttempt;
            // what waits is refused after a while (the connection attempt goes on)
            vertx.setTimer(PUBLISHER_WAIT_MS, id -> sendContext.runOnContext(x -> {
                if (connectingPublisher && publisherAttempt == attempt) {
                    failWaiting(new IllegalStateException("no connection to Redis for the cluster bus"));
                }
            }));
            redis.connect().onComplete(ar -> sendContext.runOnContext(x -> publisherConnected(ar)));
        }
    }

    private void publisherConnected(io.vertx.core.AsyncResult<RedisConnection> ar) {
        connectingPublisher = false;
        if (ar.failed()) {
            lastPublisherError = ar.cause();
            nextPublisherAttemptAt = System.currentTimeMillis() + publisherRetryDelay;
            publisherRetryDelay = Math.min(publisherRetryDelay * 2, MAX_RETRY_MS);
            failWaiting(ar.cause());
            return;
        }
        lastPublisherError = null;
        publisherRetryDelay = MIN_RETRY_MS;
        RedisConnection c = ar.result();
        if (closed) {
            c.close();
            failWaiting(new IllegalStateException("cluster bus closed"));
            return;
        }
        c.exceptionHandler(e -> sendContext.runOnContext(x -> dropPublisher(c)));
        c.endHandler(e -> sendContext.runOnContext(x -> dropPublisher(c)));
        publisher = c;
        Queued q;
        while ((q = waitingForPublisher.poll()) != null) {
            write(c, q.request(), q.result());
        }
    }

    private void failWaiting(Throwable error) {
        Queued q;
        while ((q = waitingForPublisher.poll()) != null) {
            q.result().completeExceptionally(error);
        }
    }

    private static void write(RedisConnection c, Request request, java.util.concurrent.CompletableFuture<Long> result) {
        c.send(request).onComplete(r -> {
            if (r.succeeded()) {
                result.complete(r.result().toLong());
            } else {
                result.completeExceptionally(r.cause());
            }
        });
    }

    /** On {@link #sendContext}. */
    private void dropPublisher(RedisConnection lost) {
        if (publisher == lost) {
            publisher = null;
            lost.close();
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
        sendContext.runOnContext(v -> {
            if (publisher != null) {
                publisher.close();
                publisher = null;
            }
            failWaiting(new IllegalStateException("cluster bus closed"));
        });
    }
}
