package dev.stratus.router.bench;

import dev.stratus.router.trie.MatchConsumer;
import dev.stratus.router.trie.SubscriptionTrie;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Match throughput and subscribe+unsubscribe cost of {@link SubscriptionTrie} on the {@link Workload} mix.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class SubscriptionTrieBenchmark {

    private static final int TOPICS = 1 << 16;

    /** The populated trie, shared by all benchmark threads. */
    @State(Scope.Benchmark)
    public static class Router {
        @Param({"10000", "100000", "1000000"})
        public int subscriptions;

        SubscriptionTrie<String, Integer> trie;
        Workload workload;
        String[] churnFilters;

        @Setup(Level.Trial)
        public void populate() {
            workload = new Workload(subscriptions, TOPICS, 7);
            trie = new SubscriptionTrie<>();
            final long start = System.nanoTime();
            for (int i = 0; i < subscriptions; i++) {
                trie.subscribe(workload.filters[i], workload.subscribers[i], i % 3);
            }
            final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            final SplittableRandom random = new SplittableRandom(11);
            churnFilters = new String[TOPICS];
            for (int i = 0; i < TOPICS; i++) {
                churnFilters[i] = workload.filter(random);
            }
            long deliveries = 0;
            final long[] count = new long[1];
            for (String topic : workload.topics) {
                trie.match(topic, (s, v) -> count[0]++);
            }
            deliveries = count[0];
            System.out.printf("%n[setup] %d subscriptions, %d filters, populated in %d ms, %.2f matches per topic%n",
                    trie.size(), trie.filterCount(), millis, (double) deliveries / TOPICS);
        }
    }

    /** Per-thread cursor and consumer. */
    @State(Scope.Thread)
    public static class Cursor implements MatchConsumer<String, Integer> {
        int next;
        int delivered;
        final String churnSubscriber = "bench-" + Thread.currentThread().getId();

        @Override
        public void accept(String subscriber, Integer qos) {
            delivered += qos + 1;
        }
    }

    @Benchmark
    public int match(Router router, Cursor cursor) {
        router.trie.match(router.workload.topics[cursor.next++ & (TOPICS - 1)], cursor);
        return cursor.delivered;
    }

    @Benchmark
    @Threads(2)
    public int matchTwoThreads(Router router, Cursor cursor) {
        router.trie.match(router.workload.topics[cursor.next++ & (TOPICS - 1)], cursor);
        return cursor.delivered;
    }

    /** One subscribe plus one unsubscribe of a filter from the same mix, on the populated trie. */
    @Benchmark
    public Integer subscribeUnsubscribe(Router router, Cursor cursor) {
        final String filter = router.churnFilters[cursor.next++ & (TOPICS - 1)];
        router.trie.subscribe(filter, cursor.churnSubscriber, 1);
        return router.trie.unsubscribe(filter, cursor.churnSubscriber);
    }
}
