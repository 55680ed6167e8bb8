package dev.stratus.state.redis;

import dev.stratus.state.MessageQueueStore;
import dev.stratus.state.StateStoreException;
import dev.stratus.state.model.EnqueueResult;
import dev.stratus.state.model.QueuedMessage;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A session's queue is a sorted set in the session's slot, scored by a per-session sequence from
 * {@code queue:seq} ({@code INCR}); each member is {@code "<seq>:"} followed by the encoded message, so equal
 * messages stay distinct members and a member carries its own sequence.
 * <ul>
 *   <li>{@link #enqueue} is one script: {@code INCR}, {@code ZADD}, then {@code ZREMRANGEBYRANK} of the oldest
 *       beyond the bound, returning the size and how many were dropped.</li>
 *   <li>{@link #poll} is one script ({@code ZRANGE} then {@code ZREMRANGEBYRANK} of the same ranks), so two
 *       concurrent polls never return the same message.</li>
 *   <li>{@link #peek} is {@code ZRANGE}; {@link #ack} is {@code ZREMRANGEBYSCORE -inf seq}: it removes exactly the
 *       peeked messages that are still there, never a message enqueued after the peek.</li>
 * </ul>
 * {@link #clear} keeps {@code queue:seq}, so sequences are not reused while the session exists; the cascading
 * session delete removes it too.
 */
final class RedisMessageQueueStore implements MessageQueueStore {

    /** KEYS queue, queue:seq; ARGV message, bound. Appends; returns {size, dropped, seq}. */
    private static final String ENQUEUE_BODY = """
            local seq = redis.call('INCR', KEYS[2])
            redis.call('ZADD', KEYS[1], seq, string.format('%d', seq) .. ':' .. ARGV[1])
            local size = redis.call('ZCARD', KEYS[1])
            local bound = tonumber(ARGV[2])
            local dropped = 0
            if size > bound then
              dropped = size - bound
              redis.call('ZREMRANGEBYRANK', KEYS[1], 0, dropped - 1)
              size = bound
            end
            return {size, dropped, seq}
            """;
    private static final LuaScript ENQUEUE = LuaScript.of("enqueue", ENQUEUE_BODY);

    /**
     * KEYS queue, queue:seq, delivered; ARGV message, bound, delivery id, now, window, max ids. As ENQUEUE, unless
     * the delivery id is remembered (then {0, 0, -1}); remembers it, forgetting ids older than the window and all
     * but the newest max ids.
     */
    private static final LuaScript APPEND_ONCE = LuaScript.of("append_once", """
            if redis.call('ZSCORE', KEYS[3], ARGV[3]) then return {0, 0, -1} end
            local now = tonumber(ARGV[4])
            redis.call('ZADD', KEYS[3], now, ARGV[3])
            redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[5]))
            redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -tonumber(ARGV[6]) - 1)
            redis.call('PEXPIRE', KEYS[3], ARGV[5])
            """ + ENQUEUE_BODY);

    /** KEYS queue; ARGV max. Removes and returns the oldest members. */
    private static final LuaScript POLL = LuaScript.of("poll", """
            local members = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
            if #members > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #members - 1) end
            return members
            """);

    private final RedisCalls calls;
    private final RedisKeys keys;

    RedisMessageQueueStore(RedisCalls calls, RedisKeys keys) {
        this.calls = Objects.requireNonNull(calls, "calls");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    @Override
    public CompletionStage<EnqueueResult> enqueue(SessionKey key, StoredMessage message, int maxQueued) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        if (maxQueued < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("maxQueued " + maxQueued));
        }
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.eval("queues.enqueue", ENQUEUE, List.of(k.queue(), k.queueSeq()),
                        List.of(ValueCodec.encode(message), maxQueued))
                .thenApply(reply -> new EnqueueResult(reply.get(0).toInteger(), reply.get(1).toInteger()));
    }

    @Override
    public CompletionStage<List<StoredMessage>> poll(SessionKey key, int max) {
        Objects.requireNonNull(key, "key");
        if (max <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        return calls.eval("queues.poll", POLL, List.of(keys.session(key).queue()), List.of(max))
                .thenApply(reply -> Responses.elements(reply).stream()
                        .map(member -> decode(member).message())
                        .toList());
    }

    @Override
    public CompletionStage<List<QueuedMessage>> peek(SessionKey key, int max) {
        Objects.requireNonNull(key, "key");
        if (max <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        Request request = Request.cmd(Command.ZRANGE).arg(keys.session(key).queue()).arg(0).arg(max - 1L);
        return calls.send("queues.peek", request)
                .thenApply(reply -> Responses.elements(reply).stream().map(RedisMessageQueueStore::decode).toList());
    }

    @Override
    public CompletionStage<Integer> ack(SessionKey key, long upToSequence) {
        Objects.requireNonNull(key, "key");
        Request request = Request.cmd(Command.ZREMRANGEBYSCORE).arg(keys.session(key).queue())
                .arg("-inf").arg(upToSequence);
        return calls.send("queues.ack", request).thenApply(reply -> (int) Responses.longValue(reply));
    }

    @Override
    public CompletionStage<Integer> size(SessionKey key) {
        Objects.requireNonNull(key, "key");
        return calls.send("queues.size", Request.cmd(Command.ZCARD).arg(keys.session(key).queue()))
                .thenApply(reply -> (int) Responses.longValue(reply));
    }

    @Override
    public CompletionStage<Void> clear(SessionKey key) {
        Objects.requireNonNull(key, "key");
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.send("queues.clear", Request.cmd(Command.DEL).arg(k.queue()).arg(k.delivered()))
                .thenApply(reply -> null);
    }

    /** A member is {@code "<seq>:"} (ASCII digits) then the encoded message. */
    private static QueuedMessage decode(Response member) {
        byte[] bytes = member.toBytes();
        int colon = 0;
        while (colon < bytes.length && bytes[colon] != ':') {
            colon++;
        }
        if (colon == 0 || colon == bytes.length) {
            throw new StateStoreException("corrupt value in the store: queue member without sequence");
        }
        long sequence;
        try {
            sequence = Long.parseLong(new String(bytes, 0, colon, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new StateStoreException("corrupt value in the store: queue sequence", e);
        }
        return new QueuedMessage(sequence, ValueCodec.decodeMessage(bytes, colon + 1));
    }

    @Override
    public CompletionStage<dev.stratus.state.model.Appended> append(SessionKey key, StoredMessage message,
                                                                    int maxQueued) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.eval("queues.append", ENQUEUE, List.of(k.queue(), k.queueSeq()),
                        List.of(ValueCodec.encode(message), Math.max(1, maxQueued)))
                .thenApply(reply -> new dev.stratus.state.model.Appended(reply.get(2).toLong(),
                        reply.get(1).toInteger()));
    }

    @Override
    public CompletionStage<Boolean> remove(SessionKey key, long sequence) {
        Objects.requireNonNull(key, "key");
        Request request = Request.cmd(Command.ZREMRANGEBYSCORE).arg(keys.session(key).queue())
                .arg(sequence).arg(sequence);
        return calls.send("queues.remove", request).thenApply(reply -> Responses.longValue(reply) > 0);
    }

    @Override
    public CompletionStage<dev.stratus.state.model.Appended> appendOnce(SessionKey key, StoredMessage message,
                                                                        int maxQueued, String deliveryId,
                                                                        long nowMillis) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(deliveryId, "deliveryId");
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.eval("queues.appendOnce", APPEND_ONCE, List.of(k.queue(), k.queueSeq(), k.delivered()),
                        List.of(ValueCodec.encode(message), Math.max(1, maxQueued), deliveryId, nowMillis,
                                DELIVERY_ID_WINDOW_MILLIS, MAX_DELIVERY_IDS))
                .thenApply(reply -> reply.get(2).toLong() < 0 ? dev.stratus.state.model.Appended.DUPLICATE
                        : new dev.stratus.state.model.Appended(reply.get(2).toLong(), reply.get(1).toInteger()));
    }
}
