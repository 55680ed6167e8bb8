package dev.stratus.router.trie;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Writers churn subscriptions on shared filters (so that pruning races with subscribing on the same nodes)
 * while readers match continuously. Stable subscriptions, added before the start and never touched, must be
 * seen by every match; at the end the trie must equal the union of the writers' models.
 */
class SubscriptionTrieConcurrencyTest {

    private static final String[] CHURN_FILTERS = {
        "a/b/c", "a/b/+", "a/+/c", "a/#", "a/b/c/#", "+/b/c", "#", "a/b/c/d", "a/+/+/d", "x/y", "x/+", "x/y/#",
        "a/b", "a/b/#", "+/+/+", "a/b/c/d/e/f", "a/b/c/d/e/+", "$SYS/+", "$SYS/a/#",
    };
    private static final String[] TOPICS = {"a/b/c", "a/b/c/d", "a/b", "x/y", "x/y/z", "a/b/c/d/e/f", "$SYS/a", "q"};
    private static final int WRITERS = 3;
    private static final int READERS = 2;
    private static final int OPERATIONS_PER_WRITER = 200_000;

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void concurrentChurnNeverHidesStableSubscriptionsAndEndsInTheModelState() throws Exception {
        final SubscriptionTrie<String, Integer> trie = new SubscriptionTrie<>();
        trie.subscribe("a/b/c", "stable", 0);
        trie.subscribe("a/+/c/#", "stable", 1);
        trie.subscribe("x/#", "stable", 2);
        final Map<String, List<String>> stableByTopic = Map.of(
                "a/b/c", List.of("stable=0", "stable=1"),
                "a/b/c/d", List.of("stable=1"),
                "x/y/z", List.of("stable=2"));

        final ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicBoolean writing = new AtomicBoolean(true);
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        try {
            final List<Future<Map<String, Map<String, Integer>>>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                final String subscriber = "w" + w;
                final long seed = 42 + w;
                writers.add(pool.submit(() -> churn(trie, subscriber, seed, start)));
            }
            final List<Future<Long>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                readers.add(pool.submit(() -> {
                    start.await();
                    long matches = 0;
                    while (writing.get()) {
                        for (Map.Entry<String, List<String>> e : stableByTopic.entrySet()) {
                            final List<String> found = new ArrayList<>();
                            trie.match(e.getKey(), (s, v) -> found.add(s + "=" + v));
                            if (!found.containsAll(e.getValue())) {
                                failures.add(e.getKey() + " -> " + found);
                            }
                            matches++;
                        }
                    }
                    return matches;
                }));
            }
            start.countDown();
            final Map<String, Map<String, Integer>> model = new HashMap<>();
            for (Future<Map<String, Map<String, Integer>>> writer : writers) {
                writer.get(15, TimeUnit.SECONDS).forEach((filter, subscribers) ->
                        model.computeIfAbsent(filter, f -> new HashMap<>()).putAll(subscribers));
            }
            writing.set(false);
            for (Future<Long> reader : readers) {
                assertThat(reader.get(5, TimeUnit.SECONDS)).isPositive();
            }
            assertThat(failures).isEmpty();

            model.computeIfAbsent("a/b/c", f -> new HashMap<>()).put("stable", 0);
            model.computeIfAbsent("a/+/c/#", f -> new HashMap<>()).put("stable", 1);
            model.computeIfAbsent("x/#", f -> new HashMap<>()).put("stable", 2);
            assertThat(trie.size()).isEqualTo(model.values().stream().mapToInt(Map::size).sum());
            assertThat(trie.filterCount()).isEqualTo(model.size());
            for (String topic : TOPICS) {
                assertThat(SubscriptionTriePropertiesTest.trieMatches(trie, topic))
                        .as(topic)
                        .containsExactlyInAnyOrderElementsOf(SubscriptionTriePropertiesTest.referenceMatches(model, topic));
            }

            model.forEach((filter, subscribers) -> subscribers.keySet().forEach(s -> trie.unsubscribe(filter, s)));
            assertThat(trie.nodeCount()).isZero();
        } finally {
            writing.set(false);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Random subscribe/unsubscribe of this writer's subscriber on the shared filters; returns its final model. */
    private static Map<String, Map<String, Integer>> churn(
            SubscriptionTrie<String, Integer> trie, String subscriber, long seed, CountDownLatch start)
            throws InterruptedException {
        start.await();
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<String, Integer> mine = new HashMap<>();
        for (int i = 0; i < OPERATIONS_PER_WRITER; i++) {
            final String filter = CHURN_FILTERS[random.nextInt(CHURN_FILTERS.length)];
            if (random.nextBoolean()) {
                final int value = random.nextInt(3);
                final Integer previous = trie.subscribe(filter, subscriber, value);
                if (!java.util.Objects.equals(previous, mine.put(filter, value))) {
                    throw new AssertionError("subscribe " + filter + " returned " + previous);
                }
            } else {
                final Integer removed = trie.unsubscribe(filter, subscriber);
                if (!java.util.Objects.equals(removed, mine.remove(filter))) {
                    throw new AssertionError("unsubscribe " + filter + " returned " + removed);
                }
            }
        }
        final Map<String, Map<String, Integer>> model = new HashMap<>();
        mine.forEach((filter, value) -> model.put(filter, new HashMap<>(Map.of(subscriber, value))));
        return model;
    }
}
