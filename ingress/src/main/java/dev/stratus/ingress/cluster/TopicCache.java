package dev.stratus.ingress.cluster;

/**
 * A small lossy cache of what a topic matched, for a table that changes rarely and is read by every publish: a
 * direct-mapped array indexed by the topic's hash, each entry tagged with the version of the table it was computed
 * from, so that a change of the table makes every entry stale at once. A busy publisher repeats its topic, so most
 * lookups hit; many distinct topics only overwrite each other (no eviction work, no growth).
 * <p>
 * Thread-safe without locks: entries are immutable and replaced whole (their final fields make a racy publication
 * safe); a reader sees either an entry or another, never a half-written one.
 *
 * @param <V> what a topic matched (immutable)
 */
final class TopicCache<V> {

    private record Entry<V>(String topic, long version, V value) {
    }

    private final Entry<V>[] slots;
    private final int mask;

    /** @param size number of entries, a power of two */
    @SuppressWarnings("unchecked")
    TopicCache(int size) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("size must be a power of two: " + size);
        }
        this.slots = (Entry<V>[]) new Entry[size];
        this.mask = size - 1;
    }

    /** What {@code topic} matched in {@code version} of the table, or null when not cached. */
    V get(String topic, long version) {
        Entry<V> e = slots[index(topic)];
        return e != null && e.version == version && e.topic.equals(topic) ? e.value : null;
    }

    void put(String topic, long version, V value) {
        slots[index(topic)] = new Entry<>(topic, version, value);
    }

    private int index(String topic) {
        int h = topic.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }
}
