package dev.stratus.router.trie;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.router.topic.TopicFilter;
import dev.stratus.router.topic.TopicName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Compares {@link SubscriptionTrie} and {@link TopicFilter#matches} with {@link #referenceMatches}, a
 * matcher written straight from MQTT 3.1.1 section 4.7 on top of {@code String.split}.
 */
class SubscriptionTriePropertiesTest {

    /** Reference matcher: split both on '/', compare level by level. */
    static boolean referenceMatches(String filter, String topic) {
        final String[] f = filter.split("/", -1);
        final String[] t = topic.split("/", -1);
        if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
            return false; // [MQTT-4.7.2-1]
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true; // this level and all below, or none [MQTT-4.7.1-2]
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    @Provide
    Arbitrary<String> topics() {
        return Arbitraries.of("a", "b", "", "$s", "ab")
                .list().ofMinSize(1).ofMaxSize(5)
                .map(levels -> String.join("/", levels))
                .filter(TopicName::isValid);
    }

    @Provide
    Arbitrary<String> filters() {
        final Arbitrary<String> levels = Arbitraries.of("a", "b", "", "+", "$s")
                .list().ofMinSize(0).ofMaxSize(4)
                .map(l -> String.join("/", l));
        return Combinators.combine(levels, Arbitraries.of(false, true))
                .as((prefix, multi) -> multi ? (prefix.isEmpty() ? "#" : prefix + "/#") : prefix)
                .filter(TopicFilter::isValid);
    }

    @Property(tries = 500)
    void topicFilterMatchesAgreesWithReference(@ForAll("filters") String filter, @ForAll("topics") String topic) {
        assertThat(TopicFilter.matches(filter, topic)).isEqualTo(referenceMatches(filter, topic));
    }

    @Property(tries = 300)
    void trieMatchesSameSubscriptionsAsReference(
            @ForAll @Size(max = 40) List<@From("filters") String> filters,
            @ForAll @Size(min = 1, max = 20) List<@From("topics") String> topics) {
        final SubscriptionTrie<String, Integer> trie = new SubscriptionTrie<>();
        final Map<String, Map<String, Integer>> model = new HashMap<>();
        for (int i = 0; i < filters.size(); i++) {
            final String subscriber = "s" + (i % 5);
            trie.subscribe(filters.get(i), subscriber, i);
            model.computeIfAbsent(filters.get(i), f -> new HashMap<>()).put(subscriber, i);
        }
        for (String topic : topics) {
            assertThat(trieMatches(trie, topic)).as(topic).containsExactlyInAnyOrderElementsOf(referenceMatches(model, topic));
        }
    }

    /** One step of a random subscribe/unsubscribe sequence. */
    record Op(boolean subscribe, int filter, int subscriber, int value) {
    }

    @Provide
    Arbitrary<Op> ops() {
        return Combinators.combine(Arbitraries.of(true, true, false), Arbitraries.integers().between(0, 11),
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 2)).as(Op::new);
    }

    @Property(tries = 300)
    void subscribeAndUnsubscribeBehaveLikeAMap(
            @ForAll @Size(min = 12, max = 12) List<@From("filters") String> filterPool,
            @ForAll @Size(max = 80) List<@From("ops") Op> ops,
            @ForAll @Size(min = 1, max = 10) List<@From("topics") String> topics) {
        final SubscriptionTrie<String, Integer> trie = new SubscriptionTrie<>();
        final Map<String, Map<String, Integer>> model = new HashMap<>();
        for (Op op : ops) {
            final String filter = filterPool.get(op.filter());
            final String subscriber = "s" + op.subscriber();
            if (op.subscribe()) {
                final Integer expected = model.computeIfAbsent(filter, f -> new HashMap<>()).put(subscriber, op.value());
                assertThat(trie.subscribe(filter, subscriber, op.value())).isEqualTo(expected);
            } else {
                final Map<String, Integer> subscribers = model.get(filter);
                final Integer expected = subscribers == null ? null : subscribers.remove(subscriber);
                if (subscribers != null && subscribers.isEmpty()) {
                    model.remove(filter);
                }
                assertThat(trie.unsubscribe(filter, subscriber)).isEqualTo(expected);
            }
            assertThat(trie.size()).isEqualTo(model.values().stream().mapToInt(Map::size).sum());
            assertThat(trie.filterCount()).isEqualTo(model.size());
        }
        for (String topic : topics) {
            assertThat(trieMatches(trie, topic)).containsExactlyInAnyOrderElementsOf(referenceMatches(model, topic));
        }
        model.forEach((filter, subscribers) -> subscribers.keySet().forEach(s -> trie.unsubscribe(filter, s)));
        assertThat(trie.size()).isZero();
        assertThat(trie.nodeCount()).isZero();
    }

    static List<String> trieMatches(SubscriptionTrie<String, Integer> trie, String topic) {
        final List<String> found = new ArrayList<>();
        trie.match(topic, (subscriber, value) -> found.add(subscriber + "=" + value));
        return found;
    }

    static List<String> referenceMatches(Map<String, Map<String, Integer>> model, String topic) {
        final List<String> expected = new ArrayList<>();
        model.forEach((filter, subscribers) -> {
            if (referenceMatches(filter, topic)) {
                subscribers.forEach((subscriber, value) -> expected.add(subscriber + "=" + value));
            }
        });
        return expected;
    }
}
