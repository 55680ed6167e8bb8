package dev.stratus.router.trie;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A trie node: the subscribers of the filter that ends here, plus the children for the next level.
 *
 * <p>Children for literal levels are kept in a small hash table made for this trie: lookups hash a range
 * of the topic string ({@link #child(String, int, int)}), so matching allocates no level strings. Bucket
 * entries are immutable; writers (holding this monitor) publish a new bucket head with a release store and
 * a resized table through the volatile {@link #table} field, so readers never lock and always see a
 * consistent chain.
 */
final class Node<K, V> extends Subscribers<K, V> {

    private static final VarHandle BUCKETS = MethodHandles.arrayElementVarHandle(Child[].class);
    private static final int MIN_TABLE = 2;

    /** Child for the level {@code "+"}. Written with this monitor held. */
    volatile Node<K, V> singleLevel;
    /** Child for the level {@code "#"}; always a leaf. Written with this monitor held. */
    volatile Node<K, V> multiLevel;
    /** Literal children; {@code null} when there are none. */
    private volatile Child[] table;
    /** Guarded by this. */
    private int childCount;

    /** Immutable bucket entry. */
    private static final class Child {
        final String level;
        final int hash;
        final Node<?, ?> node;
        final Child next;

        Child(String level, int hash, Node<?, ?> node, Child next) {
            this.level = level;
            this.hash = hash;
            this.node = node;
            this.next = next;
        }
    }

    /** Same value as {@code spread(s.substring(from, to).hashCode())}, without the substring. */
    static int hash(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h ^ (h >>> 16);
    }

    /** Literal child for the level {@code s[from, to)}, or {@code null}. Lock-free. */
    @SuppressWarnings("unchecked")
    Node<K, V> child(String s, int from, int to) {
        final Child[] t = table;
        if (t == null) {
            return null;
        }
        final int h = hash(s, from, to);
        final int length = to - from;
        for (Child c = (Child) BUCKETS.getAcquire(t, h & (t.length - 1)); c != null; c = c.next) {
            if (c.hash == h && c.level.length() == length && c.level.regionMatches(0, s, from, length)) {
                return (Node<K, V>) c.node;
            }
        }
        return null;
    }

    /** Adds a literal child; the level must be absent. Guarded by this. */
    void putChild(String level, Node<K, V> child) {
        Child[] t = table;
        if (t == null) {
            t = new Child[MIN_TABLE];
        } else if (4 * (childCount + 1) > 3 * t.length) {
            t = rehash(t, 2 * t.length);
        }
        final int h = hash(level, 0, level.length());
        final int i = h & (t.length - 1);
        BUCKETS.setRelease(t, i, new Child(level, h, child, t[i]));
        if (t != table) {
            table = t;
        }
        childCount++;
    }

    /** Removes the literal child {@code child} stored under the level {@code s[from, to)}. Guarded by this. */
    boolean removeChild(String s, int from, int to, Node<K, V> child) {
        final Child[] t = table;
        if (t == null) {
            return false;
        }
        final int i = hash(s, from, to) & (t.length - 1);
        final Child head = t[i];
        Child found = head;
        while (found != null && found.node != child) {
            found = found.next;
        }
        if (found == null) {
            return false;
        }
        Child rebuilt = found.next;
        for (Child c = head; c != found; c = c.next) {
            rebuilt = new Child(c.level, c.hash, c.node, rebuilt);
        }
        BUCKETS.setRelease(t, i, rebuilt);
        if (--childCount == 0) {
            table = null;
        } else if (t.length > 16 && 8 * childCount < t.length) {
            table = rehash(t, t.length / 2);
        }
        return true;
    }

    /** Copies all entries into a new table; the old one stays valid for readers. Guarded by this. */
    private static Child[] rehash(Child[] old, int capacity) {
        final Child[] t = new Child[capacity];
        for (Child head : old) {
            for (Child c = head; c != null; c = c.next) {
                final int i = c.hash & (capacity - 1);
                t[i] = new Child(c.level, c.hash, c.node, t[i]);
            }
        }
        return t;
    }

    /** Whether the node has any child; lock-free. */
    boolean hasChildren() {
        return table != null || singleLevel != null || multiLevel != null;
    }

    /** No subscribers and no children. Guarded by this. */
    boolean isEmpty() {
        return count() == 0 && childCount == 0 && singleLevel == null && multiLevel == null;
    }
}
