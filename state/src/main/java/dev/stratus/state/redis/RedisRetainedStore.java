package dev.stratus.state.redis;

import dev.stratus.router.topic.TopicFilter;
import dev.stratus.state.RetainedStore;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Retained messages of a tenant in its slot: the {@code retained} hash (topic to encoded message) and the
 * {@code retained:index} sorted set of the same topics, all scored 0 so that they are ordered by their bytes.
 * Put and delete are scripts that change both, so the index never lists a topic the hash lacks.
 * <p>
 * {@link #match} with an exact filter is one {@code HGET}. A wildcard filter reads only the topics that start
 * with its literal prefix, the text before its first wildcard ({@code a/b/} for {@code a/b/+/c}):
 * {@code ZRANGEBYLEX [a/b/ (a/b/\xff} in pages of {@value #PAGE} (each page continues after the last topic of
 * the previous one, so paging costs O(log N) per page), filters each page with {@link TopicFilter#matches} and
 * fetches the matching messages with one {@code HMGET} per page. For {@code a/#} the parent topic {@code a} is
 * fetched too. A filter that starts with a wildcard ({@code #}, {@code +/x}) has no prefix: it reads the whole
 * index, O(N) in the tenant's retained topics, except the {@code $} topics, which it skips by reading the two
 * ranges around them.
 * <p>
 * Expiry is checked against the clock when a message is read; an expired message is not returned, and is
 * deleted by a compare-and-delete script (so a message that replaced it meanwhile stays). {@link #count} is
 * {@code HLEN}, which counts expired messages that no read has come across yet.
 */
final class RedisRetainedStore implements RetainedStore {

    static final int PAGE = 512;

    /** KEYS hash, index; ARGV topic, message. */
    private static final LuaScript PUT = LuaScript.of("retainedPut", """
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('ZADD', KEYS[2], 0, ARGV[1])
            return 1
            """);

    /** KEYS hash, index; ARGV topic. */
    private static final LuaScript DELETE = LuaScript.of("retainedDelete", """
            redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            return 1
            """);

    /** KEYS hash, index; ARGV topic, expected message. Deletes only if the message is still the stored one. */
    private static final LuaScript DELETE_IF_SAME = LuaScript.of("retainedDeleteIfSame", """
            if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
              redis.call('HDEL', KEYS[1], ARGV[1])
              redis.call('ZREM', KEYS[2], ARGV[1])
              return 1
            end
            return 0
            """);

    private final RedisCalls calls;
    private final RedisKeys keys;
    private final Clock clock;

    RedisRetainedStore(RedisCalls calls, RedisKeys keys, Clock clock) {
        this.calls = Objects.requireNonNull(calls, "calls");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public CompletionStage<Void> put(TenantId tenant, StoredMessage message) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(message, "message");
        List<String> k = List.of(keys.retained(tenant), keys.retainedIndex(tenant));
        CompletionStage<Response> write = message.payload().length == 0
                ? calls.eval("retained.delete", DELETE, k, List.of(message.topic()))
                : calls.eval("retained.put", PUT, k, List.of(message.topic(), ValueCodec.encode(message)));
        return write.thenApply(reply -> null);
    }

    @Override
    public CompletionStage<Optional<StoredMessage>> get(TenantId tenant, String topic) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(topic, "topic");
        return calls.send("retained.get", Request.cmd(Command.HGET).arg(keys.retained(tenant)).arg(topic))
                .thenCompose(reply -> reply == null ? CompletableFuture.completedFuture(List.<StoredMessage>of())
                        : live(tenant, List.of(reply)))
                .thenApply(found -> found.stream().findFirst());
    }

    @Override
    public CompletionStage<List<StoredMessage>> match(TenantId tenant, String filter) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(filter, "filter");
        if (!TopicFilter.hasWildcard(filter)) {
            return get(tenant, filter).thenApply(found -> found.map(List::of).orElse(List.of()));
        }
        int wildcard = firstWildcard(filter);
        String prefix = filter.substring(0, wildcard);
        List<StoredMessage> found = new ArrayList<>();
        CompletionStage<Void> scan;
        if (prefix.isEmpty()) {
            // no literal prefix: every topic but the '$' ones, i.e. those below "$" and those from "%" on
            scan = scan(tenant, filter, lex("-"), lex("($"), found)
                    .thenCompose(v -> scan(tenant, filter, lex("[%"), lex("+"), found));
        } else {
            scan = scan(tenant, filter, lex("[" + prefix), upperBound(prefix), found);
            if (filter.charAt(wildcard) == TopicFilter.MULTI_LEVEL_WILDCARD) {
                // "a/#" also matches "a" [MQTT-4.7.1-2], which sorts before the "a/" range (and "/#" the
                // topic "", which the store accepts although MQTT does not)
                String parent = prefix.substring(0, prefix.length() - 1);
                scan = scan.thenCompose(v -> fetch(tenant, List.of(parent), found));
            }
        }
        return scan.thenApply(v -> List.copyOf(found));
    }

    @Override
    public CompletionStage<Long> count(TenantId tenant) {
        Objects.requireNonNull(tenant, "tenant");
        return calls.send("retained.count", Request.cmd(Command.HLEN).arg(keys.retained(tenant)))
                .thenApply(Responses::longValue);
    }

    /** Reads the index from {@code min} to {@code max} page by page, fetching the topics that match. */
    private CompletionStage<Void> scan(TenantId tenant, String filter, byte[] min, byte[] max,
                                       List<StoredMessage> found) {
        Request page = Request.cmd(Command.ZRANGEBYLEX).arg(keys.retainedIndex(tenant)).arg(min).arg(max)
                .arg("LIMIT").arg(0).arg(PAGE);
        return calls.send("retained.match", page).thenCompose(reply -> {
            List<Response> topics = Responses.elements(reply);
            List<String> matching = new ArrayList<>();
            for (Response topic : topics) {
                String name = Responses.string(topic);
                if (TopicFilter.matches(filter, name)) {
                    matching.add(name);
                }
            }
            CompletionStage<Void> fetched = fetch(tenant, matching, found);
            if (topics.size() < PAGE) {
                return fetched;
            }
            byte[] next = lex("(" + Responses.string(topics.get(topics.size() - 1)));
            return fetched.thenCompose(v -> scan(tenant, filter, next, max, found));
        });
    }

    private CompletionStage<Void> fetch(TenantId tenant, List<String> topics, List<StoredMessage> found) {
        if (topics.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Request request = Request.cmd(Command.HMGET).arg(keys.retained(tenant));
        topics.forEach(request::arg);
        return calls.send("retained.match", request)
                .thenCompose(reply -> live(tenant, Responses.elements(reply)))
                .thenAccept(found::addAll);
    }

    /** Decodes the values that are present, dropping (and deleting) the expired ones. */
    private CompletionStage<List<StoredMessage>> live(TenantId tenant, List<Response> values) {
        long now = clock.millis();
        List<StoredMessage> live = new ArrayList<>(values.size());
        List<CompletableFuture<Response>> deletes = new ArrayList<>();
        for (Response value : values) {
            byte[] bytes = Responses.bytes(value);
            if (bytes == null) {
                continue;
            }
            StoredMessage message = ValueCodec.decodeMessage(bytes);
            if (message.isExpired(now)) {
                deletes.add(calls.eval("retained.expire", DELETE_IF_SAME,
                        List.of(keys.retained(tenant), keys.retainedIndex(tenant)),
                        List.of(message.topic(), bytes)).toCompletableFuture());
            } else {
                live.add(message);
            }
        }
        if (deletes.isEmpty()) {
            return CompletableFuture.completedFuture(live);
        }
        return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).thenApply(v -> live);
    }

    private static int firstWildcard(String filter) {
        int plus = filter.indexOf(TopicFilter.SINGLE_LEVEL_WILDCARD);
        int hash = filter.indexOf(TopicFilter.MULTI_LEVEL_WILDCARD);
        return plus < 0 ? hash : hash < 0 ? plus : Math.min(plus, hash);
    }

    private static byte[] lex(String bound) {
        return bound.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code (prefix\xff}: 0xFF never occurs in UTF-8, so this is above every topic that starts with prefix. */
    private static byte[] upperBound(String prefix) {
        byte[] start = lex("(" + prefix);
        byte[] bound = Arrays.copyOf(start, start.length + 1);
        bound[start.length] = (byte) 0xFF;
        return bound;
    }
}
