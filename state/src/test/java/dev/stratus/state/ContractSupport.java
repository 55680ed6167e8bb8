package dev.stratus.state;

import dev.stratus.state.model.MessageProperties;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Helpers shared by the store contract suites. Every suite works in tenants with random names, so that a
 * backend shared between tests (a Redis server) needs no flushing between them.
 */
public final class ContractSupport {

    /** Upper bound for any single store call; a backend that takes longer is broken, not slow. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** An expiry instant that lies in the past for any clock the tests run with. */
    public static final long LONG_AGO = 1L;

    private ContractSupport() {
    }

    public static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("store call did not complete normally", e);
        }
    }

    public static TenantId newTenant() {
        return new TenantId("t-" + UUID.randomUUID());
    }

    public static SessionKey newSession(TenantId tenant) {
        return new SessionKey(tenant, "c-" + UUID.randomUUID());
    }

    /** An expiry instant a year from now: far enough that no test run reaches it. */
    public static long farFuture() {
        return System.currentTimeMillis() + Duration.ofDays(365).toMillis();
    }

    public static StoredMessage message(String topic, String payload) {
        return new StoredMessage(topic, bytes(payload), 1, false);
    }

    public static StoredMessage retained(String topic, String payload) {
        return new StoredMessage(topic, bytes(payload), 1, true);
    }

    /** A message that uses every field, to check that a backend keeps them all. */
    public static StoredMessage fullMessage(String topic) {
        MessageProperties properties = new MessageProperties(1, "text/plain", "reply/here",
                new byte[] {0, 1, 2, (byte) 0xff},
                List.of(new MessageProperties.UserProperty("k", "v1"),
                        new MessageProperties.UserProperty("k", "v2"),
                        new MessageProperties.UserProperty("a", "")));
        return new StoredMessage(topic, new byte[] {0, (byte) 0x80, 'x', (byte) 0xff}, 2, true, farFuture(), properties);
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String payload(StoredMessage message) {
        return new String(message.payload(), StandardCharsets.UTF_8);
    }

    public static List<String> payloads(Collection<StoredMessage> messages) {
        return messages.stream().map(ContractSupport::payload).toList();
    }

    public static List<String> topics(Collection<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::topic).toList();
    }

    /**
     * Runs {@code task} once per thread index on {@code threads} threads that start together, and waits for all.
     * Any failure is rethrown.
     */
    public static void runConcurrently(int threads, IntConsumer task) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    task.accept(index);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(TIMEOUT.toMillis() * 6, TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("concurrent task failed", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
