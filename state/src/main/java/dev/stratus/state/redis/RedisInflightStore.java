package dev.stratus.state.redis;

import dev.stratus.state.InflightStore;
import dev.stratus.state.model.InflightMessage;
import dev.stratus.state.model.SessionKey;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A session's inflight window in its slot: the {@code inflight} hash (packet id to encoded message), the
 * {@code inflight:order} sorted set (packet id scored by the sequence of its first put, from
 * {@code inflight:seq}), and the {@code rel} set of inbound QoS 2 packet ids awaiting PUBREL.
 * <p>
 * {@link #put}, {@link #remove} and {@link #list} are scripts, so the hash and the order never disagree: a put
 * adds the order entry only when the id has none (a replaced message keeps its position), a remove deletes both,
 * and a list reads both in one step.
 */
final class RedisInflightStore implements InflightStore {

    /** KEYS inflight, order, seq; ARGV packet id, message. */
    private static final LuaScript PUT = LuaScript.of("inflightPut", """
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
              redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
            end
            return 1
            """);

    /**
     * KEYS inflight, order, seq, queue; ARGV packet id, message, queue sequence: the put of {@link #PUT} and the
     * removal of that queue entry, in one step.
     */
    private static final LuaScript PUT_FROM_QUEUE = LuaScript.of("inflightPutFromQueue", """
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
              redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
            end
            redis.call('ZREMRANGEBYSCORE', KEYS[4], ARGV[3], ARGV[3])
            return 1
            """);

    /** KEYS inflight, order; ARGV packet id. Returns 1 when the id was inflight. */
    private static final LuaScript REMOVE = LuaScript.of("inflightRemove", """
            local removed = redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            return removed
            """);

    /** KEYS inflight, order. Returns {ids in order, flat id/message pairs}. */
    private static final LuaScript LIST = LuaScript.of("inflightList", """
            return {redis.call('ZRANGE', KEYS[2], 0, -1), redis.call('HGETALL', KEYS[1])}
            """);

    private final RedisCalls calls;
    private final RedisKeys keys;

    RedisInflightStore(RedisCalls calls, RedisKeys keys) {
        this.calls = Objects.requireNonNull(calls, "calls");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    @Override
    public CompletionStage<Void> put(SessionKey key, InflightMessage message) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.eval("inflight.put", PUT, List.of(k.inflight(), k.inflightOrder(), k.inflightSeq()),
                        List.of(Integer.toString(message.packetId()), ValueCodec.encode(message)))
                .thenApply(reply -> null);
    }

    /** Moves a queued message to the inflight store atomically (the session's keys share a slot). */
    CompletionStage<Void> putFromQueue(SessionKey key, InflightMessage message, long queueSequence) {
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.eval("inflight.putFromQueue", PUT_FROM_QUEUE,
                        List.of(k.inflight(), k.inflightOrder(), k.inflightSeq(), k.queue()),
                        List.of(Integer.toString(message.packetId()), ValueCodec.encode(message), queueSequence))
                .thenApply(reply -> null);
    }

    @Override
    public CompletionStage<Boolean> remove(SessionKey key, int packetId) {
        Objects.requireNonNull(key, "key");
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.eval("inflight.remove", REMOVE, List.of(k.inflight(), k.inflightOrder()),
                        List.of(Integer.toString(packetId)))
                .thenApply(Responses::isOne);
    }

    @Override
    public CompletionStage<List<InflightMessage>> list(SessionKey key) {
        Objects.requireNonNull(key, "key");
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.eval("inflight.list", LIST, List.of(k.inflight(), k.inflightOrder()), List.of())
                .thenApply(RedisInflightStore::toList);
    }

    @Override
    public CompletionStage<Boolean> markReceived(SessionKey key, int packetId) {
        Objects.requireNonNull(key, "key");
        if (packetId < 1 || packetId > 65535) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("packetId " + packetId));
        }
        return calls.send("inflight.markReceived",
                        Request.cmd(Command.SADD).arg(keys.session(key).received()).arg(packetId))
                .thenApply(Responses::isOne);
    }

    private static final LuaScript HGETALL = LuaScript.of("hgetall", "return redis.call('HGETALL', KEYS[1])");

    /** KEYS rel, rel:ids; ARGV packet id, delivery id. SADD, and the id with it; returns what SADD returned. */
    private static final LuaScript MARK_RECEIVED = LuaScript.of("markReceived", """
            local added = redis.call('SADD', KEYS[1], ARGV[1])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            return added
            """);

    @Override
    public CompletionStage<Boolean> markReceived(SessionKey key, int packetId, String deliveryId) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(deliveryId, "deliveryId");
        if (packetId < 1 || packetId > 65535) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("packetId " + packetId));
        }
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.eval("inflight.markReceived", MARK_RECEIVED, List.of(k.received(), k.receivedIds()),
                List.of(packetId, deliveryId)).thenApply(Responses::isOne);
    }

    @Override
    public CompletionStage<Map<Integer, String>> receivedDeliveryIds(SessionKey key) {
        Objects.requireNonNull(key, "key");
        // in a script, HGETALL answers a flat array in both RESP2 and RESP3
        return calls.eval("inflight.receivedIds", HGETALL, List.of(keys.session(key).receivedIds()), List.of())
                .thenApply(reply -> {
                    List<Response> flat = Responses.elements(reply);
                    Map<Integer, String> ids = new HashMap<>();
                    for (int i = 0; i + 1 < flat.size(); i += 2) {
                        ids.put(Integer.parseInt(Responses.string(flat.get(i))), Responses.string(flat.get(i + 1)));
                    }
                    return Map.copyOf(ids);
                });
    }

    @Override
    public CompletionStage<Boolean> release(SessionKey key, int packetId) {
        Objects.requireNonNull(key, "key");
        RedisKeys.SessionKeys k = keys.session(key);
        calls.send("inflight.releaseId", Request.cmd(Command.HDEL).arg(k.receivedIds()).arg(packetId));
        return calls.send("inflight.release", Request.cmd(Command.SREM).arg(k.received()).arg(packetId))
                .thenApply(Responses::isOne);
    }

    @Override
    public CompletionStage<Set<Integer>> received(SessionKey key) {
        Objects.requireNonNull(key, "key");
        return calls.send("inflight.received", Request.cmd(Command.SMEMBERS).arg(keys.session(key).received()))
                .thenApply(reply -> {
                    Set<Integer> ids = new HashSet<>();
                    for (Response id : Responses.elements(reply)) {
                        ids.add(Integer.parseInt(Responses.string(id)));
                    }
                    return Set.copyOf(ids);
                });
    }

    @Override
    public CompletionStage<Void> clear(SessionKey key) {
        Objects.requireNonNull(key, "key");
        RedisKeys.SessionKeys k = keys.session(key);
        return calls.send("inflight.clear", Request.cmd(Command.DEL)
                        .arg(k.inflight()).arg(k.inflightOrder()).arg(k.inflightSeq()).arg(k.received())
                        .arg(k.receivedIds()))
                .thenApply(reply -> null);
    }

    private static List<InflightMessage> toList(Response reply) {
        List<Response> flat = Responses.elements(reply.get(1));
        Map<String, byte[]> byId = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            byId.put(Responses.string(flat.get(i)), Responses.bytes(flat.get(i + 1)));
        }
        List<InflightMessage> ordered = new ArrayList<>(byId.size());
        for (Response id : Responses.elements(reply.get(0))) {
            byte[] value = byId.get(Responses.string(id));
            if (value != null) {
                ordered.add(ValueCodec.decodeInflight(value));
            }
        }
        return List.copyOf(ordered);
    }
}
