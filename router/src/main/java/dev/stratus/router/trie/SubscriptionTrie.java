package dev.stratus.router.trie;

import dev.stratus.router.topic.TopicFilter;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Maps MQTT topic filters to subscribers: {@code (filter, subscriber) -> value}, and finds the
 * subscriptions whose filter matches a topic name.
 *
 * <h2>Algorithm</h2>
 *
 * Filters are split by kind, as in EMQX's router ({@code emqx_router.erl}, {@code emqx_topic_index.erl}):
 * <ul>
 *   <li><b>Exact filters</b> (no {@code '+'} or {@code '#'}; most filters in practice) live in a hash
 *       index {@code filter -> subscribers}. Matching a topic looks the whole topic string up once.</li>
 *   <li><b>Wildcard filters</b> live in a trie with one edge per filter level. A node has a table of literal
 *       children keyed by level, and two dedicated children for {@code "+"} and {@code "#"}. The
 *       subscribers of a filter sit on the node its last level leads to.</li>
 * </ul>
 * Matching topic {@code t = l1/l2/.../ln} walks the trie depth first with an explicit stack of
 * {@code (node, offset of the next level in t)}. For a node and level {@code li}:
 * <ol>
 *   <li>the {@code "#"} child matches {@code li..ln}: deliver its subscribers;</li>
 *   <li>the {@code "+"} child consumes {@code li}: push it with the next offset;</li>
 *   <li>the literal child equal to {@code li} consumes {@code li}: push it with the next offset;</li>
 *   <li>when all levels are consumed, deliver the node's subscribers and those of its {@code "#"} child,
 *       since {@code "sport/#"} also matches {@code "sport"} (MQTT 3.1.1 section 4.7.1.2).</li>
 * </ol>
 * At the root, the {@code "+"} and {@code "#"} children are skipped for topics that start with
 * {@code '$'} [MQTT-4.7.2-1]. Levels are found with {@code indexOf('/')} and literal children are
 * looked up by hashing the range of the topic string, so a match allocates nothing but what the
 * consumer allocates. Cost: O(levels) for exact filters; for wildcards, O(trie nodes visited), which is
 * bounded by the product over levels of (1 + wildcard branches), in practice a few nodes per level. The
 * stack makes the depth of the walk independent of the Java call stack, so a filter with 30 000 levels
 * cannot overflow it.
 *
 * <p>Each (filter, subscriber) pair is reported once per match; a subscriber with several matching
 * filters is reported once per filter. Collapsing those is the caller's job, see {@link MaxQosCollector}
 * [MQTT-3.3.5-1].
 *
 * <h2>Concurrency</h2>
 *
 * Safe for any number of threads calling {@link #subscribe}, {@link #unsubscribe} and {@link #match}.
 * <ul>
 *   <li><b>Matching is lock-free</b>: it reads volatile fields only (node children, bucket heads with
 *       acquire loads, the copy-on-write subscriber arrays). A match that runs concurrently with a change
 *       may or may not see that change; subscriptions that stay in place during the match are always
 *       seen.</li>
 *   <li><b>Writers lock single nodes</b> (the node's monitor), never the whole trie. Adding a child
 *       locks the parent; changing subscribers locks the node holding them. A subscribe holds one
 *       monitor at a time.</li>
 *   <li><b>Pruning.</b> When an unsubscribe leaves a node empty (no subscribers, no children), it removes
 *       the node from its parent holding the parent's and then the node's monitor (always top-down, so
 *       there is no lock-order cycle), re-checks emptiness, marks the node {@code dead} and repeats for
 *       the parent. A subscribe that reached a node before it was unlinked finds it dead once it holds
 *       the monitor and starts over from the root, so no subscription is ever added to an unlinked
 *       node. Invariant: a node that is not dead is linked to a live parent, up to the root, because a
 *       node is only unlinked when it has no children and children are only added to live nodes.</li>
 *   <li>The exact index is a {@link ConcurrentHashMap}; its holders follow the same protocol:
 *       add under the holder's monitor if not dead, remove the entry when the last subscriber leaves.</li>
 * </ul>
 * Memory returns to the empty baseline once all subscriptions are gone.
 *
 * <p>Subscriber keys need consistent {@code equals}/{@code hashCode} (identity is fine); keys and values
 * must not be {@code null}. Topics passed to {@link #match} must be valid topic names
 * ({@link dev.stratus.router.topic.TopicName#isValid}); the match path does not validate.
 *
 * @param <K> subscriber key, for example a client identifier
 * @param <V> subscription value, for example the granted QoS and options
 */
public final class SubscriptionTrie<K, V> {

    private final ConcurrentHashMap<String, Subscribers<K, V>> exact = new ConcurrentHashMap<>();
    private final Node<K, V> root = new Node<>();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final AtomicInteger filters = new AtomicInteger();
    private final AtomicInteger trieNodes = new AtomicInteger();
    /** Shared by all tries: a thread runs one walk at a time, re-entrant walks get their own stack. */
    private static final ThreadLocal<MatchStack> STACKS = ThreadLocal.withInitial(MatchStack::new);

    /**
     * Adds the subscription {@code (filter, subscriber)}, or replaces its value if it exists.
     *
     * @return the previous value, or {@code null} if the subscription is new
     * @throws IllegalArgumentException if {@code filter} is not a valid topic filter
     */
    public V subscribe(String filter, K subscriber, V value) {
        Objects.requireNonNull(subscriber, "subscriber");
        Objects.requireNonNull(value, "value");
        if (!TopicFilter.isValid(filter)) {
            throw new IllegalArgumentException("invalid topic filter");
        }
        return TopicFilter.hasWildcard(filter)
                ? subscribeWildcard(filter, subscriber, value)
                : subscribeExact(filter, subscriber, value);
    }

    /**
     * Removes the subscription {@code (filter, subscriber)}.
     *
     * @return the removed value, or {@code null} if there was none (invalid filters included)
     */
    public V unsubscribe(String filter, K subscriber) {
        if (subscriber == null || !TopicFilter.isValid(filter)) {
            return null;
        }
        return TopicFilter.hasWildcard(filter)
                ? unsubscribeWildcard(filter, subscriber)
                : unsubscribeExact(filter, subscriber);
    }

    /**
     * Calls {@code consumer} once for every subscription whose filter matches {@code topic}. Lock-free.
     * The consumer must not block; it may call this trie again.
     */
    public void match(String topic, MatchConsumer<K, V> consumer) {
        final Subscribers<K, V> exactSubscribers = exact.get(topic);
        if (exactSubscribers != null) {
            exactSubscribers.forEach(consumer);
        }
        if (root.hasChildren()) {
            matchWildcards(topic, consumer);
        }
    }

    /** Number of (filter, subscriber) subscriptions. */
    public int size() {
        return subscriptions.get();
    }

    /** Number of distinct filters with at least one subscriber. */
    public int filterCount() {
        return filters.get();
    }

    /** Trie nodes below the root plus exact-index entries: 0 when the trie holds nothing. */
    int nodeCount() {
        return trieNodes.get() + exact.size();
    }

    // ---------------------------------------------------------------- exact filters

    private V subscribeExact(String filter, K subscriber, V value) {
        while (true) {
            Subscribers<K, V> holder = exact.get(filter);
            if (holder == null) {
                holder = exact.computeIfAbsent(filter, f -> new Subscribers<>());
            }
            synchronized (holder) {
                if (!holder.dead) {
                    return put(holder, subscriber, value);
                }
            }
            // unlinked by a concurrent unsubscribe: the map no longer holds it, try again
        }
    }

    private V unsubscribeExact(String filter, K subscriber) {
        final Subscribers<K, V> holder = exact.get(filter);
        if (holder == null) {
            return null;
        }
        synchronized (holder) {
            if (holder.dead) {
                return null;
            }
            final V removed = remove(holder, subscriber);
            if (removed != null && holder.count() == 0) {
                holder.dead = true;
                exact.remove(filter, holder);
            }
            return removed;
        }
    }

    // ---------------------------------------------------------------- wildcard filters

    private V subscribeWildcard(String filter, K subscriber, V value) {
        final int length = filter.length();
        restart:
        while (true) {
            Node<K, V> node = root;
            int from = 0;
            while (from <= length) {
                int to = filter.indexOf(TopicFilter.LEVEL_SEPARATOR, from);
                if (to < 0) {
                    to = length;
                }
                Node<K, V> next = child(node, filter, from, to);
                if (next == null) {
                    synchronized (node) {
                        if (node.dead) {
                            continue restart;
                        }
                        next = child(node, filter, from, to);
                        if (next == null) {
                            next = new Node<>();
                            link(node, filter, from, to, next);
                            trieNodes.incrementAndGet();
                        }
                    }
                }
                node = next;
                from = to + 1;
            }
            synchronized (node) {
                if (!node.dead) {
                    return put(node, subscriber, value);
                }
            }
        }
    }

    private V unsubscribeWildcard(String filter, K subscriber) {
        final int length = filter.length();
        final int levels = countLevels(filter);
        @SuppressWarnings("unchecked")
        final Node<K, V>[] path = new Node[levels + 1];
        final int[] starts = new int[levels];
        final int[] ends = new int[levels];
        path[0] = root;
        int from = 0;
        for (int level = 0; level < levels; level++) {
            int to = filter.indexOf(TopicFilter.LEVEL_SEPARATOR, from);
            if (to < 0) {
                to = length;
            }
            final Node<K, V> next = child(path[level], filter, from, to);
            if (next == null) {
                return null;
            }
            path[level + 1] = next;
            starts[level] = from;
            ends[level] = to;
            from = to + 1;
        }
        final Node<K, V> leaf = path[levels];
        final V removed;
        synchronized (leaf) {
            if (leaf.dead) {
                return null;
            }
            removed = remove(leaf, subscriber);
            if (removed == null || !leaf.isEmpty()) {
                return removed;
            }
        }
        prune(filter, path, starts, ends);
        return removed;
    }

    /** Unlinks empty nodes bottom-up, locking parent then child at each step. */
    private void prune(String filter, Node<K, V>[] path, int[] starts, int[] ends) {
        for (int level = path.length - 1; level > 0; level--) {
            final Node<K, V> parent = path[level - 1];
            final Node<K, V> node = path[level];
            synchronized (parent) {
                synchronized (node) {
                    if (node.dead || !node.isEmpty()
                            || !unlink(parent, filter, starts[level - 1], ends[level - 1], node)) {
                        return; // re-used by a concurrent subscribe, or already gone
                    }
                    node.dead = true;
                    trieNodes.decrementAndGet();
                }
            }
        }
    }

    private void matchWildcards(String topic, MatchConsumer<K, V> consumer) {
        MatchStack stack = STACKS.get();
        if (stack.inUse) {
            stack = new MatchStack(); // re-entrant call from a consumer
        }
        stack.inUse = true;
        try {
            walk(topic, consumer, stack);
        } finally {
            stack.clear();
        }
    }

    private void walk(String topic, MatchConsumer<K, V> consumer, MatchStack stack) {
        final int length = topic.length();
        final boolean sysTopic = length > 0 && topic.charAt(0) == '$';
        stack.push(root, 0);
        while (stack.size > 0) {
            final int from = stack.topOffset();
            @SuppressWarnings("unchecked")
            final Node<K, V> node = (Node<K, V>) stack.pop();
            final Node<K, V> multi = node.multiLevel;
            if (from > length) {
                // every level consumed: filters ending here, and "x/#" matches "x" too [MQTT-4.7.1-2]
                node.forEach(consumer);
                if (multi != null) {
                    multi.forEach(consumer);
                }
                continue;
            }
            final boolean wildcardsAllowed = !(sysTopic && node == root); // [MQTT-4.7.2-1]
            if (multi != null && wildcardsAllowed) {
                multi.forEach(consumer);
            }
            int to = topic.indexOf(TopicFilter.LEVEL_SEPARATOR, from);
            if (to < 0) {
                to = length;
            }
            final Node<K, V> single = node.singleLevel;
            if (single != null && wildcardsAllowed) {
                stack.push(single, to + 1);
            }
            final Node<K, V> literal = node.child(topic, from, to);
            if (literal != null) {
                stack.push(literal, to + 1);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private V put(Subscribers<K, V> holder, K subscriber, V value) {
        final V previous = holder.put(subscriber, value);
        if (previous == null) {
            subscriptions.incrementAndGet();
            if (holder.count() == 1) {
                filters.incrementAndGet();
            }
        }
        return previous;
    }

    private V remove(Subscribers<K, V> holder, K subscriber) {
        final V removed = holder.remove(subscriber);
        if (removed != null) {
            subscriptions.decrementAndGet();
            if (holder.count() == 0) {
                filters.decrementAndGet();
            }
        }
        return removed;
    }

    private static boolean isWildcardLevel(String filter, int from, int to, char wildcard) {
        return to - from == 1 && filter.charAt(from) == wildcard;
    }

    private static <K, V> Node<K, V> child(Node<K, V> node, String filter, int from, int to) {
        if (isWildcardLevel(filter, from, to, TopicFilter.SINGLE_LEVEL_WILDCARD)) {
            return node.singleLevel;
        }
        if (isWildcardLevel(filter, from, to, TopicFilter.MULTI_LEVEL_WILDCARD)) {
            return node.multiLevel;
        }
        return node.child(filter, from, to);
    }

    /** Guarded by the monitor of {@code parent}. */
    private static <K, V> void link(Node<K, V> parent, String filter, int from, int to, Node<K, V> node) {
        if (isWildcardLevel(filter, from, to, TopicFilter.SINGLE_LEVEL_WILDCARD)) {
            parent.singleLevel = node;
        } else if (isWildcardLevel(filter, from, to, TopicFilter.MULTI_LEVEL_WILDCARD)) {
            parent.multiLevel = node;
        } else {
            parent.putChild(filter.substring(from, to), node);
        }
    }

    /** Guarded by the monitor of {@code parent}. */
    private static <K, V> boolean unlink(Node<K, V> parent, String filter, int from, int to, Node<K, V> node) {
        if (isWildcardLevel(filter, from, to, TopicFilter.SINGLE_LEVEL_WILDCARD)) {
            if (parent.singleLevel != node) {
                return false;
            }
            parent.singleLevel = null;
            return true;
        }
        if (isWildcardLevel(filter, from, to, TopicFilter.MULTI_LEVEL_WILDCARD)) {
            if (parent.multiLevel != node) {
                return false;
            }
            parent.multiLevel = null;
            return true;
        }
        return parent.removeChild(filter, from, to, node);
    }

    private static int countLevels(String filter) {
        int levels = 1;
        for (int i = filter.indexOf(TopicFilter.LEVEL_SEPARATOR); i >= 0;
                i = filter.indexOf(TopicFilter.LEVEL_SEPARATOR, i + 1)) {
            levels++;
        }
        return levels;
    }

    /** Per-thread DFS stack of (node, offset of its next level), reused across matches. */
    private static final class MatchStack {
        private static final int INITIAL = 16;
        Node<?, ?>[] nodes = new Node<?, ?>[INITIAL];
        int[] offsets = new int[INITIAL];
        int size;
        boolean inUse;

        void push(Node<?, ?> node, int offset) {
            if (size == nodes.length) {
                nodes = java.util.Arrays.copyOf(nodes, 2 * size);
                offsets = java.util.Arrays.copyOf(offsets, 2 * size);
            }
            nodes[size] = node;
            offsets[size] = offset;
            size++;
        }

        int topOffset() {
            return offsets[size - 1];
        }

        Node<?, ?> pop() {
            final Node<?, ?> node = nodes[--size];
            nodes[size] = null;
            return node;
        }

        void clear() {
            while (size > 0) {
                nodes[--size] = null;
            }
            inUse = false;
        }
    }
}
