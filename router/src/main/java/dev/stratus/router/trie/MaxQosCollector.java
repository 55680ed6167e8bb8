package dev.stratus.router.trie;

import java.util.function.BiConsumer;

/**
 * Collapses the matches of one PUBLISH to one delivery per subscriber, at the highest QoS of its matching
 * subscriptions: "the Server MUST deliver the message to the Client respecting the maximum QoS of all the
 * matching subscriptions" [MQTT-3.3.5-1].
 *
 * <p>Not thread-safe: keep one per thread (for example per event loop) and {@link #clear()} it between
 * messages. Open addressing over arrays; after warm-up, adding and iterating allocate nothing.
 *
 * <pre>{@code
 * collector.clear();
 * trie.match(topic, collector);               // when V is the granted QoS
 * trie.match(topic, (s, o) -> collector.add(s, o.qos()));  // otherwise
 * collector.forEach(this::deliver);
 * }</pre>
 *
 * @param <K> subscriber key; needs consistent {@code equals}/{@code hashCode}
 */
public final class MaxQosCollector<K> implements MatchConsumer<K, Integer> {

    private static final int DEFAULT_CAPACITY = 16;

    private Object[] keys;
    private byte[] qos;
    /** Slots in insertion order, for iteration and clearing. */
    private int[] order;
    private int size;

    public MaxQosCollector() {
        this(DEFAULT_CAPACITY);
    }

    /** @param expectedSubscribers hint for the number of distinct subscribers per message */
    public MaxQosCollector(int expectedSubscribers) {
        int capacity = DEFAULT_CAPACITY;
        while (capacity < 2 * expectedSubscribers) {
            capacity <<= 1;
        }
        keys = new Object[capacity];
        qos = new byte[capacity];
        order = new int[capacity / 2];
    }

    /**
     * Records that {@code subscriber} has a matching subscription with QoS {@code qos} (0, 1 or 2); keeps
     * the highest QoS seen for that subscriber.
     */
    public void add(K subscriber, int qos) {
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2: " + qos);
        }
        final int mask = keys.length - 1;
        int slot = spread(subscriber.hashCode()) & mask;
        while (true) {
            final Object key = keys[slot];
            if (key == null) {
                keys[slot] = subscriber;
                this.qos[slot] = (byte) qos;
                order[size++] = slot;
                if (2 * size > keys.length - 1) {
                    grow();
                }
                return;
            }
            if (key.equals(subscriber)) {
                if (qos > this.qos[slot]) {
                    this.qos[slot] = (byte) qos;
                }
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Same as {@link #add(Object, int)}, so that the collector can be passed to {@link SubscriptionTrie#match}. */
    @Override
    public void accept(K subscriber, Integer qos) {
        add(subscriber, qos);
    }

    /** The highest QoS collected for {@code subscriber}, or -1 if none. */
    public int qosOf(K subscriber) {
        final int mask = keys.length - 1;
        for (int slot = spread(subscriber.hashCode()) & mask; keys[slot] != null; slot = (slot + 1) & mask) {
            if (keys[slot].equals(subscriber)) {
                return qos[slot];
            }
        }
        return -1;
    }

    /** Number of distinct subscribers collected. */
    public int size() {
        return size;
    }

    /**
     * The {@code i}-th distinct subscriber in first-seen order, {@code 0 <= i < size()}: with {@link #qosAt} an
     * iteration that allocates nothing (no lambda, no boxing).
     */
    @SuppressWarnings("unchecked")
    public K keyAt(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return (K) keys[order[i]];
    }

    /** The highest QoS collected for the {@code i}-th distinct subscriber, {@code 0 <= i < size()}. */
    public int qosAt(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return qos[order[i]];
    }

    /** Calls {@code action} once per distinct subscriber with its highest QoS, in first-seen order. */
    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<? super K, ? super Integer> action) {
        for (int i = 0; i < size; i++) {
            final int slot = order[i];
            action.accept((K) keys[slot], Integer.valueOf(qos[slot])); // 0..2 come from the Integer cache
        }
    }

    /** Forgets all subscribers; keeps the arrays for reuse. */
    public void clear() {
        for (int i = 0; i < size; i++) {
            keys[order[i]] = null;
        }
        size = 0;
    }

    private void grow() {
        final Object[] oldKeys = keys;
        final byte[] oldQos = qos;
        final int[] oldOrder = order;
        final int count = size;
        keys = new Object[2 * oldKeys.length];
        qos = new byte[keys.length];
        order = new int[keys.length / 2];
        size = 0;
        final int mask = keys.length - 1;
        for (int i = 0; i < count; i++) {
            final int oldSlot = oldOrder[i];
            int slot = spread(oldKeys[oldSlot].hashCode()) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = oldKeys[oldSlot];
            qos[slot] = oldQos[oldSlot];
            order[size++] = slot;
        }
    }

    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
