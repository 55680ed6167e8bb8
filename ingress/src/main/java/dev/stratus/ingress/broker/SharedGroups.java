package dev.stratus.ingress.broker;

import dev.stratus.ingress.session.Session;
import dev.stratus.router.topic.SharedSubscription;
import dev.stratus.router.trie.MatchConsumer;
import dev.stratus.router.trie.SubscriptionTrie;
import dev.stratus.state.model.StoredSubscription;

import java.util.HashMap;
import java.util.Map;

/**
 * The shared subscription groups of a node, matched like ordinary subscriptions: a trie from each group's filter
 * to the group (keyed by share name), so that a message finds its groups in one match. Subscribing and
 * unsubscribing are rare and serialized here; matching is lock-free.
 */
final class SharedGroups {

    private record Key(String shareName, String filter) {
    }

    private final SubscriptionTrie<String, SharedGroup> trie = new SubscriptionTrie<>();
    private final Map<Key, SharedGroup> groups = new HashMap<>();

    synchronized void subscribe(Session session, SharedSubscription shared, StoredSubscription subscription) {
        SharedGroup group = groups.computeIfAbsent(new Key(shared.shareName(), shared.filter()), k -> {
            SharedGroup g = new SharedGroup(k.shareName(), k.filter());
            trie.subscribe(k.filter(), k.shareName(), g);
            return g;
        });
        group.put(session, subscription);
    }

    /** @return true when the session was a member of that group */
    synchronized boolean unsubscribe(Session session, SharedSubscription shared) {
        Key key = new Key(shared.shareName(), shared.filter());
        SharedGroup group = groups.get(key);
        if (group == null || !group.remove(session)) {
            return false;
        }
        if (group.isEmpty()) {
            groups.remove(key);
            trie.unsubscribe(key.filter(), key.shareName());
        }
        return true;
    }

    /** Calls {@code consumer} with each group whose filter matches {@code topic}. */
    void match(String topic, MatchConsumer<String, SharedGroup> consumer) {
        trie.match(topic, consumer);
    }

    /** The groups whose filter matches {@code topic}. */
    java.util.List<SharedGroup> matching(String topic) {
        if (trie.size() == 0) {
            return java.util.List.of(); // most brokers have no shared groups: nothing to allocate per message
        }
        java.util.List<SharedGroup> out = new java.util.ArrayList<>(2);
        trie.match(topic, (name, group) -> out.add(group));
        return out;
    }

    /** The group of a shared subscription filter, or null. */
    synchronized SharedGroup find(SharedSubscription shared) {
        return groups.get(new Key(shared.shareName(), shared.filter()));
    }

    synchronized int groupCount() {
        return groups.size();
    }

    /** Members over all groups. */
    synchronized int memberCount() {
        int n = 0;
        for (SharedGroup g : groups.values()) {
            n += g.size();
        }
        return n;
    }
}
