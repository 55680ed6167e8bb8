package dev.stratus.state.redis;

import dev.stratus.state.StateStoreException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends commands for the stores, never blocking: every call returns at once, and the Vert.x client pipelines
 * concurrent commands over its pooled connections.
 * <p>
 * Every call fails with a {@link StateStoreException} naming the operation when Redis answers with an error,
 * when the connection fails (Redis down: the pooled client opens a new connection for the next command, so calls
 * work again once Redis is back), when no answer arrives within the command timeout (so a stalled server never
 * leaves a caller waiting forever), or after {@link #close()}.
 */
final class RedisCalls {

    private final Vertx vertx;
    private final Redis redis;
    private final long timeoutMillis;
    private final RedisCallObserver observer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Future<RedisConnection> lane;
    /** The scripts sent with EVAL on the current lane: the server knows them, EVALSHA is safe after that. */
    private java.util.Set<String> laneScripts = java.util.concurrent.ConcurrentHashMap.newKeySet();

    RedisCalls(Vertx vertx, Redis redis, Duration timeout) {
        this(vertx, redis, timeout, RedisCallObserver.NONE);
    }

    RedisCalls(Vertx vertx, Redis redis, Duration timeout, RedisCallObserver observer) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.redis = Objects.requireNonNull(redis, "redis");
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    RedisCalls(Vertx vertx, Redis redis, RedisBackendOptions options) {
        this(vertx, redis, options.commandTimeout(), options.observer());
    }

    /** Sends one command. {@code operation} names it in failures, e.g. {@code "queues.size"}. */
    CompletionStage<Response> send(String operation, Request request) {
        return this.<Response>guard(operation, () -> connection().compose(c -> c.send(request))).toCompletionStage();
    }

    /**
     * The one connection every command goes over, in the order the calls were made (pipelined: many commands in
     * flight). The pooled client would spread them over several connections and so reorder them: two enqueues to
     * one session's queue, or an inflight put and its remove, could reach Redis the other way round. Opened on
     * first use, and again after it failed or closed (calls fail meanwhile, as when Redis is down).
     */
    private Future<RedisConnection> connection() {
        synchronized (this) {
            if (lane == null || lane.failed()) {
                Future<RedisConnection> f = redis.connect();
                f.onSuccess(c -> {
                    c.exceptionHandler(e -> dropLane(f));
                    c.endHandler(v -> dropLane(f));
                });
                lane = f;
                laneScripts = java.util.concurrent.ConcurrentHashMap.newKeySet();
            }
            return lane;
        }
    }

    private synchronized void dropLane(Future<RedisConnection> lost) {
        if (lane == lost) {
            lane = null;
        }
        if (lost.succeeded()) {
            lost.result().close();
        }
    }

    /**
     * Runs a script with {@code EVALSHA}, and with {@code EVAL} when the server does not know it yet. Arguments
     * may be {@code String} (sent as UTF-8), {@code byte[]} or {@code Long}/{@code Integer}.
     */
    CompletionStage<Response> eval(String operation, LuaScript script, List<String> keys, List<?> args) {
        java.util.Set<String> known;
        synchronized (this) {
            known = laneScripts;
        }
        return this.<Response>guard(operation, () -> connection().compose(c -> {
            // an EVALSHA the server does not know fails (NOSCRIPT), and the EVAL sent then reaches Redis after
            // commands issued later on this connection, out of order: so the first use of a script on a connection
            // is an EVAL (which also loads it)
            if (known.add(script.sha1())) {
                return c.send(scriptRequest(Command.EVAL, script.source(), keys, args));
            }
            return c.send(scriptRequest(Command.EVALSHA, script.sha1(), keys, args))
                    .recover(error -> isNoScript(error) // the script cache was flushed meanwhile
                            ? c.send(scriptRequest(Command.EVAL, script.source(), keys, args))
                            : Future.failedFuture(error));
        })).toCompletionStage();
    }


    /** Fails every later call and closes this object's connection; does not close the client (its owner does). */
    void close() {
        closed.set(true);
        Future<RedisConnection> f;
        synchronized (this) {
            f = lane;
            lane = null;
        }
        if (f != null) {
            f.onSuccess(RedisConnection::close);
        }
    }

    /**
     * Runs {@code call} under the command timeout, mapping every failure to a {@link StateStoreException} that
     * names {@code operation}; fails at once after {@link #close()}.
     */
    <T> Future<T> guard(String operation, java.util.function.Supplier<Future<T>> call) {
        if (closed.get()) {
            return Future.failedFuture(new StateStoreException(operation + ": the Redis state stores are closed"));
        }
        Promise<T> promise = Promise.promise();
        long start = System.nanoTime();
        promise.future().onComplete(r -> observer.completed(operation, System.nanoTime() - start, r.succeeded()));
        long timer = vertx.setTimer(timeoutMillis, id -> promise.tryFail(new StateStoreException(
                operation + ": no answer from Redis within " + timeoutMillis + " ms")));
        Future<T> sent;
        try {
            sent = call.get();
        } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
        }
        sent.onComplete(result -> {
            vertx.cancelTimer(timer);
            if (result.succeeded()) {
                promise.tryComplete(result.result());
            } else {
                promise.tryFail(wrap(operation, result.cause()));
            }
        });
        return promise.future();
    }

    Vertx vertx() {
        return vertx;
    }

    Redis redis() {
        return redis;
    }

    private static StateStoreException wrap(String operation, Throwable cause) {
        if (cause instanceof StateStoreException e) {
            return e;
        }
        return new StateStoreException(operation + ": Redis call failed: " + cause, cause);
    }

    private static boolean isNoScript(Throwable error) {
        String message = error.getMessage();
        return message != null && message.startsWith("NOSCRIPT");
    }

    private static Request scriptRequest(Command command, String script, List<String> keys, List<?> args) {
        Request request = Request.cmd(command).arg(script).arg(keys.size());
        for (String key : keys) {
            request.arg(key);
        }
        for (Object arg : args) {
            if (arg instanceof byte[] bytes) {
                request.arg(bytes);
            } else if (arg instanceof String s) {
                request.arg(s);
            } else if (arg instanceof Long l) {
                request.arg(l.longValue());
            } else if (arg instanceof Integer i) {
                request.arg(i.longValue());
            } else {
                throw new IllegalArgumentException("unsupported script argument " + arg.getClass());
            }
        }
        return request;
    }
}
