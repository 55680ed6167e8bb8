package dev.stratus.router.trie;

/** Receives each subscription that matches a topic. */
@FunctionalInterface
public interface MatchConsumer<K, V> {
    void accept(K subscriber, V value);
}
