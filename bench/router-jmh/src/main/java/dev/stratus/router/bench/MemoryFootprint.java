package dev.stratus.router.bench;

import dev.stratus.router.trie.SubscriptionTrie;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Approximate heap bytes per subscription for the {@link Workload} mix, measured as used heap after full
 * GCs. Run: {@code java -Xmx2g -cp target/benchmarks.jar dev.stratus.router.bench.MemoryFootprint [n]}.
 */
public final class MemoryFootprint {

    private MemoryFootprint() {
    }

    public static void main(String[] args) {
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final long empty = usedAfterGc();
        final Workload workload = new Workload(n, 1, 7);
        final long inputs = usedAfterGc();
        final SubscriptionTrie<String, Integer> trie = new SubscriptionTrie<>();
        for (int i = 0; i < n; i++) {
            trie.subscribe(workload.filters[i], workload.subscribers[i], i % 3);
        }
        final long populated = usedAfterGc();
        System.out.printf("subscriptions=%d filters=%d%n", trie.size(), trie.filterCount());
        System.out.printf("filter strings + subscriber keys: %.0f bytes/subscription%n",
                (double) (inputs - empty) / n);
        System.out.printf("trie structure (excl. caller-owned strings and keys): %.0f bytes/subscription%n",
                (double) (populated - inputs) / n);
        System.out.printf("total incl. strings and keys: %.0f bytes/subscription%n",
                (double) (populated - empty) / n);
        for (int i = 0; i < n; i++) {
            trie.unsubscribe(workload.filters[i], workload.subscribers[i]);
        }
        final long drained = usedAfterGc();
        System.out.printf("after unsubscribing all: %+d bytes vs. before populating (size=%d)%n",
                drained - inputs, trie.size());
    }

    private static long usedAfterGc() {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
