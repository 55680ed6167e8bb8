package dev.stratus.state.memory;

import dev.stratus.state.RetainedStore;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Retained messages per tenant, held twice: in a map by topic name (for {@link #get}, exact filters and
 * {@link #count}) and in a tree of topic levels (for wildcard filters, which walk only the branches the filter
 * can match instead of every retained topic).
 * <p>
 * Writes to one tenant are serialised by a short per-tenant lock (O(topic levels) work), so that pruning an
 * emptied branch cannot race with an insert below it. Reads take no lock: the tree's children are concurrent
 * maps and each node's message is volatile, so a match running beside writes sees each topic either before or
 * after the change. Expired messages are never returned, and are removed when a read comes across them.
 */
public final class InMemoryRetainedStore implements RetainedStore {

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final Clock clock;
    private final ConcurrentHashMap<TenantId, TenantRetained> tenants = new ConcurrentHashMap<>();

    public InMemoryRetainedStore() {
        this(Clock.systemUTC());
    }

    /** @param clock compared against {@link StoredMessage#expiresAtMillis()} */
    public InMemoryRetainedStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public CompletionStage<Void> put(TenantId tenant, StoredMessage message) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(message, "message");
        if (message.payload().length == 0) {
            TenantRetained retained = tenants.get(tenant);
            if (retained != null) {
                retained.remove(message.topic(), null);
            }
        } else {
            tenants.computeIfAbsent(tenant, t -> new TenantRetained()).put(message);
        }
        return DONE;
    }

    @Override
    public CompletionStage<Optional<StoredMessage>> get(TenantId tenant, String topic) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(topic, "topic");
        TenantRetained retained = tenants.get(tenant);
        if (retained == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(retained.live(topic, clock.millis())));
    }

    @Override
    public CompletionStage<List<StoredMessage>> match(TenantId tenant, String filter) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(filter, "filter");
        TenantRetained retained = tenants.get(tenant);
        if (retained == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        long now = clock.millis();
        if (filter.indexOf('+') < 0 && filter.indexOf('#') < 0) {
            StoredMessage message = retained.live(filter, now);
            return CompletableFuture.completedFuture(message == null ? List.of() : List.of(message));
        }
        return CompletableFuture.completedFuture(retained.matchWildcard(filter, now));
    }

    /** Counts stored messages, including expired ones that no read has come across yet. */
    @Override
    public CompletionStage<Long> count(TenantId tenant) {
        Objects.requireNonNull(tenant, "tenant");
        TenantRetained retained = tenants.get(tenant);
        return CompletableFuture.completedFuture(retained == null ? 0L : retained.byTopic.mappingCount());
    }

    /** One tenant's retained messages. */
    private static final class TenantRetained {
        final ConcurrentHashMap<String, StoredMessage> byTopic = new ConcurrentHashMap<>();
        final Node root = new Node();
        private final Object writeLock = new Object();

        void put(StoredMessage message) {
            synchronized (writeLock) {
                Node node = root;
                for (String level : levels(message.topic())) {
                    node = node.children.computeIfAbsent(level, l -> new Node());
                }
                node.message = message;
                byTopic.put(message.topic(), message);
            }
        }

        /**
         * Removes the retained message of a topic and prunes the branch it leaves empty.
         *
         * @param expected when not null, only remove if this exact message is still the retained one (used when
         *                 dropping an expired message, which a concurrent put may have replaced)
         */
        void remove(String topic, StoredMessage expected) {
            synchronized (writeLock) {
                StoredMessage current = byTopic.get(topic);
                if (current == null || (expected != null && current != expected)) {
                    return;
                }
                byTopic.remove(topic);
                String[] levels = levels(topic);
                Node[] path = new Node[levels.length + 1];
                path[0] = root;
                for (int i = 0; i < levels.length; i++) {
                    path[i + 1] = path[i].children.get(levels[i]);
                    if (path[i + 1] == null) {
                        return; // unreachable while byTopic and the tree agree
                    }
                }
                path[levels.length].message = null;
                for (int i = levels.length; i > 0 && path[i].isEmpty(); i--) {
                    path[i - 1].children.remove(levels[i - 1], path[i]);
                }
            }
        }

        /** The retained message of a topic unless absent or expired (an expired one is removed). */
        StoredMessage live(String topic, long now) {
            StoredMessage message = byTopic.get(topic);
            if (message != null && message.isExpired(now)) {
                remove(topic, message);
                return null;
            }
            return message;
        }

        List<StoredMessage> matchWildcard(String filter, long now) {
            String[] filterLevels = levels(filter);
            List<StoredMessage> found = new ArrayList<>();
            List<StoredMessage> expired = new ArrayList<>();
            collect(root, filterLevels, found, expired, now);
            for (StoredMessage message : expired) {
                remove(message.topic(), message);
            }
            return List.copyOf(found);
        }

        /**
         * Walks the branches the filter can match. Iterative: a topic may have tens of thousands of levels, too
         * deep to recurse on an event loop's stack.
         */
        private static void collect(Node root, String[] filter, List<StoredMessage> found,
                                    List<StoredMessage> expired, long now) {
            ArrayDeque<Step> steps = new ArrayDeque<>();
            steps.push(new Step(root, 0));
            while (!steps.isEmpty()) {
                Step step = steps.pop();
                Node node = step.node;
                int depth = step.depth;
                if (depth == SUBTREE) {
                    add(node.message, found, expired, now);
                    for (Node child : node.children.values()) {
                        steps.push(new Step(child, SUBTREE));
                    }
                    continue;
                }
                if (depth == filter.length) {
                    add(node.message, found, expired, now);
                    continue;
                }
                String level = filter[depth];
                // [MQTT-4.7.2-1] a filter starting with a wildcard does not match topics starting with '$'
                boolean skipDollar = depth == 0;
                if (level.equals("#")) {
                    // '#' also matches the parent level: "a/#" matches "a" [MQTT-4.7.1-2]; the root is no topic
                    if (depth > 0) {
                        add(node.message, found, expired, now);
                    }
                    pushChildren(steps, node, SUBTREE, skipDollar);
                } else if (level.equals("+")) {
                    pushChildren(steps, node, depth + 1, skipDollar);
                } else {
                    Node child = node.children.get(level);
                    if (child != null) {
                        steps.push(new Step(child, depth + 1));
                    }
                }
            }
        }

        private static void pushChildren(ArrayDeque<Step> steps, Node node, int depth, boolean skipDollar) {
            for (Map.Entry<String, Node> child : node.children.entrySet()) {
                if (!(skipDollar && child.getKey().startsWith("$"))) {
                    steps.push(new Step(child.getValue(), depth));
                }
            }
        }

        private static void add(StoredMessage message, List<StoredMessage> found, List<StoredMessage> expired,
                                long now) {
            if (message == null) {
                return;
            }
            if (message.isExpired(now)) {
                expired.add(message);
            } else {
                found.add(message);
            }
        }

        private static String[] levels(String topicOrFilter) {
            // -1 keeps empty levels: "a//b" has three levels and "/a" starts with an empty one
            return topicOrFilter.split("/", -1);
        }
    }

    /** Depth marker of a step that takes a node and everything below it (the part matched by '#'). */
    private static final int SUBTREE = -1;

    private record Step(Node node, int depth) {
    }

    /** A topic level; holds the retained message of the topic that ends here, if any. */
    private static final class Node {
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>();
        volatile StoredMessage message;

        boolean isEmpty() {
            return message == null && children.isEmpty();
        }
    }
}
