package dev.stratus.ingress.cluster;

import dev.stratus.router.topic.SharedSubscription;
import dev.stratus.router.trie.SubscriptionTrie;
import dev.stratus.state.RouteReplica;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This node's replica of the cluster's route table, as tries to match topics against: which other nodes have
 * subscribers of a matching filter, and, for shared subscriptions, which nodes have members of each matching
 * group. Fed by the {@link RouteReplica} (one change at a time, in order); read by every publish, lock-free.
 * This node's own routes are left out: its own trie serves them. The nodes a topic matched are cached per topic
 * until the table changes, so that a busy publisher does not walk the trie and build a set per message.
 */
final class ClusterRoutes implements RouteReplica.Observer {

    private final String self;
    private final SubscriptionTrie<String, Boolean> plain = new SubscriptionTrie<>();
    /** Keyed by {@code $share/group/filter + '\0' + node}; the value is the shared subscription filter. */
    private final SubscriptionTrie<String, String> shared = new SubscriptionTrie<>();
    /** How many routes each other node has here. */
    private final Map<String, Integer> routesPerNode = new java.util.concurrent.ConcurrentHashMap<>();
    /** Bumped by every change of {@link #plain}: cached matches of an older version are stale. */
    private volatile long version;
    private final TopicCache<List<String>> nodeCache = new TopicCache<>(1024);

    ClusterRoutes(String self) {
        this.self = self;
    }

    @Override
    public void added(String filter, String nodeId) {
        if (nodeId.equals(self)) {
            return;
        }
        SharedSubscription s = SharedSubscription.parse(filter);
        Object previous;
        if (s != null) {
            previous = shared.subscribe(s.filter(), filter + '\0' + nodeId, filter);
        } else if (!SharedSubscription.isShared(filter)) {
            previous = plain.subscribe(filter, nodeId, Boolean.TRUE);
            version++; // one writer: the replica's changes come one at a time
        } else {
            return;
        }
        if (previous == null) {
            routesPerNode.merge(nodeId, 1, Integer::sum);
        }
    }

    @Override
    public void removed(String filter, String nodeId) {
        if (nodeId.equals(self)) {
            return;
        }
        SharedSubscription s = SharedSubscription.parse(filter);
        Object removed;
        if (s != null) {
            removed = shared.unsubscribe(s.filter(), filter + '\0' + nodeId);
        } else if (!SharedSubscription.isShared(filter)) {
            removed = plain.unsubscribe(filter, nodeId);
            version++;
        } else {
            return;
        }
        if (removed != null) {
            routesPerNode.computeIfPresent(nodeId, (n, count) -> count == 1 ? null : count - 1);
        }
    }

    /**
     * Whether {@code nodeId} has any route in this replica. A dead node's routes leave the table after a survivor
     * took custody of its sessions (whose routes were added before): once they are gone here, this replica knows
     * where the dead node's sessions are.
     */
    boolean hasRoutes(String nodeId) {
        return routesPerNode.containsKey(nodeId);
    }

    /** The other nodes with an ordinary subscription matching {@code topic}, each once (immutable). */
    List<String> nodesFor(String topic) {
        long v = version;
        List<String> cached = nodeCache.get(topic, v);
        if (cached != null) {
            return cached;
        }
        Set<String> nodes = new HashSet<>(4);
        plain.match(topic, (node, x) -> nodes.add(node));
        List<String> matched = List.copyOf(nodes);
        nodeCache.put(topic, v, matched);
        return matched;
    }

    /**
     * For each shared subscription ({@code $share/group/filter}) whose filter matches {@code topic}: the other
     * nodes that have members.
     */
    Map<String, List<String>> groupsFor(String topic) {
        if (shared.size() == 0) {
            return Map.of(); // no shared subscription on other nodes: nothing to match or allocate
        }
        Map<String, List<String>> groups = new HashMap<>(2);
        shared.match(topic, (key, group) -> groups.computeIfAbsent(group, g -> new ArrayList<>(2))
                .add(key.substring(group.length() + 1)));
        return groups;
    }

    /** Whether any other node has any route: if not, forwarding is skipped without matching. */
    boolean isEmpty() {
        return plain.size() == 0 && shared.size() == 0;
    }
}
