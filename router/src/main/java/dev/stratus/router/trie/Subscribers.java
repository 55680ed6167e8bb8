package dev.stratus.router.trie;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscribers of one topic filter: subscriber key to value.
 *
 * <p>Reads ({@link #forEach}) are lock-free. Writes happen with the monitor of this object held (the
 * owner, {@link SubscriptionTrie}, takes it). Up to {@link #SMALL_LIMIT} subscribers live in a
 * copy-on-write array of pairs, so that the common case (one or a few subscribers per filter) costs one
 * small array and iterates without allocation; larger sets move to a {@link ConcurrentHashMap} so that a
 * filter with 100k subscribers does not copy on every change.
 */
class Subscribers<K, V> {

    /** Largest number of subscribers kept in the copy-on-write array. */
    static final int SMALL_LIMIT = 16;

    private static final Object[] EMPTY = new Object[0];

    /** {@code [k0, v0, k1, v1, ...]}, never mutated after publication; {@code null} while {@link #large} is used. */
    private volatile Object[] small = EMPTY;
    /** Used instead of {@link #small} above {@link #SMALL_LIMIT} subscribers. */
    private volatile ConcurrentHashMap<K, V> large;
    /** Guarded by this. */
    private int count;
    /**
     * Set, with this monitor held, when the holder has been unlinked from the index. A writer that finds a
     * dead holder starts over from the root. Guarded by this.
     */
    boolean dead;

    /** Calls {@code consumer} for each subscriber; lock-free, allocation-free for small sets. */
    @SuppressWarnings("unchecked")
    final void forEach(MatchConsumer<K, V> consumer) {
        final Object[] pairs = small;
        if (pairs != null) {
            for (int i = 0; i < pairs.length; i += 2) {
                consumer.accept((K) pairs[i], (V) pairs[i + 1]);
            }
            return;
        }
        final ConcurrentHashMap<K, V> map = large;
        if (map != null) { // null only in a window where the set became empty
            map.forEach(consumer::accept);
        }
    }

    /** Guarded by this. */
    final int count() {
        return count;
    }

    /** Adds or replaces; returns the previous value. Guarded by this. */
    @SuppressWarnings("unchecked")
    final V put(K subscriber, V value) {
        final Object[] pairs = small;
        if (pairs == null) {
            final V previous = large.put(subscriber, value);
            if (previous == null) {
                count++;
            }
            return previous;
        }
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(subscriber)) {
                final Object[] copy = pairs.clone();
                copy[i + 1] = value;
                small = copy;
                return (V) pairs[i + 1];
            }
        }
        if (count < SMALL_LIMIT) {
            final Object[] copy = Arrays.copyOf(pairs, pairs.length + 2);
            copy[pairs.length] = subscriber;
            copy[pairs.length + 1] = value;
            small = copy;
        } else {
            final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>(4 * SMALL_LIMIT);
            for (int i = 0; i < pairs.length; i += 2) {
                map.put((K) pairs[i], (V) pairs[i + 1]);
            }
            map.put(subscriber, value);
            large = map; // publish the map before readers can see small == null
            small = null;
        }
        count++;
        return null;
    }

    /** Removes; returns the removed value or {@code null}. Guarded by this. */
    @SuppressWarnings("unchecked")
    final V remove(K subscriber) {
        final Object[] pairs = small;
        if (pairs == null) {
            final V previous = large.remove(subscriber);
            if (previous != null && --count <= SMALL_LIMIT / 2) {
                shrinkToSmall();
            }
            return previous;
        }
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(subscriber)) {
                final V previous = (V) pairs[i + 1];
                if (pairs.length == 2) {
                    small = EMPTY;
                } else {
                    final Object[] copy = new Object[pairs.length - 2];
                    System.arraycopy(pairs, 0, copy, 0, i);
                    System.arraycopy(pairs, i + 2, copy, i, pairs.length - i - 2);
                    small = copy;
                }
                count--;
                return previous;
            }
        }
        return null;
    }

    private void shrinkToSmall() {
        final Object[] pairs = new Object[2 * count];
        int i = 0;
        for (var entry : large.entrySet()) {
            pairs[i++] = entry.getKey();
            pairs[i++] = entry.getValue();
        }
        small = pairs; // readers that still hold the map see the same entries: no writes follow to it
        large = null;
    }
}
