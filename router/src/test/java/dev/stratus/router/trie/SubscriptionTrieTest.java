package dev.stratus.router.trie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubscriptionTrieTest {

    private final SubscriptionTrie<String, Integer> trie = new SubscriptionTrie<>();

    private List<String> matches(String topic) {
        final List<String> found = new ArrayList<>();
        trie.match(topic, (subscriber, value) -> found.add(subscriber + "=" + value));
        return found;
    }

    @Test
    void matchesExactFilters() {
        trie.subscribe("sport/tennis/player1", "c1", 0);
        trie.subscribe("sport/tennis/player2", "c2", 1);

        assertThat(matches("sport/tennis/player1")).containsExactly("c1=0");
        assertThat(matches("sport/tennis/player2")).containsExactly("c2=1");
        assertThat(matches("sport/tennis")).isEmpty();
        assertThat(matches("sport/tennis/player1/ranking")).isEmpty();
    }

    @Test
    void singleLevelWildcardMatchesExactlyOneLevel_MQTT_4_7_1_3() {
        trie.subscribe("sport/tennis/+", "c1", 0);
        trie.subscribe("+/+", "c2", 0);
        trie.subscribe("/+", "c3", 0);

        assertThat(matches("sport/tennis/player1")).containsExactly("c1=0");
        assertThat(matches("sport/tennis/player1/ranking")).isEmpty();
        assertThat(matches("/finance")).containsExactlyInAnyOrder("c2=0", "c3=0");
        assertThat(matches("/")).containsExactlyInAnyOrder("c2=0", "c3=0");
        assertThat(matches("finance")).isEmpty();
    }

    @Test
    void multiLevelWildcardMatchesParentAndAllChildren_MQTT_4_7_1_2() {
        trie.subscribe("sport/tennis/player1/#", "c1", 0);
        trie.subscribe("sport/#", "c2", 0);
        trie.subscribe("#", "c3", 0);

        assertThat(matches("sport")).containsExactlyInAnyOrder("c2=0", "c3=0");
        assertThat(matches("sport/tennis/player1")).containsExactlyInAnyOrder("c1=0", "c2=0", "c3=0");
        assertThat(matches("sport/tennis/player1/score/wimbledon"))
                .containsExactlyInAnyOrder("c1=0", "c2=0", "c3=0");
        assertThat(matches("sports")).containsExactly("c3=0");
    }

    @Test
    void matchesEmptyLevels() {
        trie.subscribe("a//b", "exact", 0);
        trie.subscribe("a/+/b", "single", 0);
        trie.subscribe("a/", "trailing", 0);
        trie.subscribe("a/#", "multi", 0);

        assertThat(matches("a//b")).containsExactlyInAnyOrder("exact=0", "single=0", "multi=0");
        assertThat(matches("a/")).containsExactlyInAnyOrder("trailing=0", "multi=0");
        assertThat(matches("a")).containsExactly("multi=0");
    }

    @Test
    void wildcardFirstLevelDoesNotMatchDollarTopics_MQTT_4_7_2_1() {
        trie.subscribe("#", "all", 0);
        trie.subscribe("+/monitor/Clients", "plus", 0);
        trie.subscribe("$SYS/#", "sys", 0);
        trie.subscribe("$SYS/monitor/+", "sysPlus", 0);
        trie.subscribe("$SYS/monitor/Clients", "sysExact", 0);

        assertThat(matches("$SYS/monitor/Clients")).containsExactlyInAnyOrder("sys=0", "sysPlus=0", "sysExact=0");
        assertThat(matches("$SYS")).containsExactly("sys=0");
        assertThat(matches("x/monitor/Clients")).containsExactlyInAnyOrder("all=0", "plus=0");
    }

    @Test
    void reportsOverlappingFiltersOncePerFilter() {
        trie.subscribe("a/b", "c1", 0);
        trie.subscribe("a/+", "c1", 1);
        trie.subscribe("a/#", "c1", 2);
        trie.subscribe("a/#", "c2", 1);

        assertThat(matches("a/b")).containsExactlyInAnyOrder("c1=0", "c1=1", "c1=2", "c2=1");
    }

    @Test
    void maxQosCollectorKeepsOneDeliveryPerSubscriberAtHighestQos_MQTT_3_3_5_1() {
        trie.subscribe("a/b", "c1", 0);
        trie.subscribe("a/+", "c1", 2);
        trie.subscribe("a/#", "c1", 1);
        trie.subscribe("+/b", "c2", 1);
        final MaxQosCollector<String> collector = new MaxQosCollector<>();

        trie.match("a/b", collector);

        final Map<String, Integer> deliveries = new java.util.LinkedHashMap<>();
        collector.forEach(deliveries::put);
        assertThat(deliveries).containsOnly(Map.entry("c1", 2), Map.entry("c2", 1));

        collector.clear();
        trie.match("a/c", collector);
        assertThat(collector.size()).isEqualTo(1);
        assertThat(collector.qosOf("c1")).isEqualTo(2);
        assertThat(collector.qosOf("c2")).isEqualTo(-1);
    }

    @Test
    void subscribingAgainReplacesTheValue() {
        assertThat(trie.subscribe("a/+", "c1", 0)).isNull();
        assertThat(trie.subscribe("a/+", "c1", 2)).isEqualTo(0);
        assertThat(trie.subscribe("a/b", "c1", 1)).isNull();
        assertThat(trie.subscribe("a/b", "c1", 0)).isEqualTo(1);

        assertThat(matches("a/b")).containsExactlyInAnyOrder("c1=2", "c1=0");
        assertThat(trie.size()).isEqualTo(2);
        assertThat(trie.filterCount()).isEqualTo(2);
    }

    @Test
    void unsubscribeRemovesOnlyThatSubscription() {
        trie.subscribe("a/+", "c1", 0);
        trie.subscribe("a/+", "c2", 1);
        trie.subscribe("a/b", "c1", 2);

        assertThat(trie.unsubscribe("a/+", "c1")).isEqualTo(0);
        assertThat(trie.unsubscribe("a/+", "c1")).isNull();
        assertThat(trie.unsubscribe("a/c", "c1")).isNull();
        assertThat(trie.unsubscribe("a/+/x", "c2")).isNull();
        assertThat(trie.unsubscribe("bad/#/filter", "c2")).isNull();

        assertThat(matches("a/b")).containsExactlyInAnyOrder("c2=1", "c1=2");
        assertThat(trie.size()).isEqualTo(2);
        assertThat(trie.filterCount()).isEqualTo(2);
    }

    @Test
    void rejectsInvalidFilters() {
        assertThatThrownBy(() -> trie.subscribe("a/#/b", "c1", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> trie.subscribe("", "c1", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> trie.subscribe("a+", "c1", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(trie.size()).isZero();
    }

    @Test
    void manySubscribersOnOneFilterAreAllMatchedAndRemoved() {
        for (int i = 0; i < 1_000; i++) {
            trie.subscribe("a/+", "c" + i, i % 3);
            trie.subscribe("a/b", "c" + i, i % 3);
        }
        assertThat(matches("a/b")).hasSize(2_000);
        for (int i = 0; i < 1_000; i++) {
            assertThat(trie.unsubscribe("a/+", "c" + i)).isEqualTo(i % 3);
            if (i == 990) {
                assertThat(matches("a/x")).hasSize(9);
            }
        }
        assertThat(matches("a/b")).hasSize(1_000);
        assertThat(trie.filterCount()).isEqualTo(1);
    }

    @Test
    void unsubscribingEverythingPrunesAllNodes() {
        final int filters = 100_000;
        for (int i = 0; i < filters; i++) {
            trie.subscribe(filter(i), "c" + (i % 7), i);
        }
        assertThat(trie.size()).isEqualTo(filters);
        assertThat(trie.filterCount()).isEqualTo(filters);
        assertThat(trie.nodeCount()).isGreaterThan(filters / 2);
        assertThat(matches("t/40/x/temp")).contains("c5=40"); // filter "t/40/+/temp"

        for (int i = 0; i < filters; i++) {
            assertThat(trie.unsubscribe(filter(i), "c" + (i % 7))).isEqualTo(i);
        }

        assertThat(trie.size()).isZero();
        assertThat(trie.filterCount()).isZero();
        assertThat(trie.nodeCount()).isZero();
        assertThat(matches("t/40/x/temp")).isEmpty();
    }

    private static String filter(int i) {
        switch (i % 4) {
            case 0: return "t/" + i + "/+/temp";
            case 1: return "t/" + i + "/#";
            case 2: return "+/" + i + "//x/#";
            default: return "t/" + i + "/x/temp";
        }
    }

    @Test
    void pruningKeepsNodesThatStillLeadToSubscriptions() {
        trie.subscribe("a/b/c/+", "c1", 0);
        trie.subscribe("a/b/#", "c2", 0);
        trie.subscribe("a/+/c", "c3", 0);

        trie.unsubscribe("a/b/c/+", "c1");

        assertThat(matches("a/b/c")).containsExactlyInAnyOrder("c2=0", "c3=0");
        assertThat(trie.nodeCount()).isEqualTo(5); // a, a/b, a/b/#, a/+, a/+/c
        trie.unsubscribe("a/b/#", "c2");
        trie.unsubscribe("a/+/c", "c3");
        assertThat(trie.nodeCount()).isZero();
    }

    @Test
    void consumerMayMatchAgainFromInsideAMatch() {
        trie.subscribe("a/+", "outer", 0);
        trie.subscribe("b/#", "inner", 0);
        final List<String> inner = new ArrayList<>();

        trie.match("a/x", (s, v) -> trie.match("b/y", (s2, v2) -> inner.add(s2)));

        assertThat(inner).containsExactly("inner");
    }

    @Test
    void deepFiltersDoNotOverflowTheStack() {
        final String filter = "+/".repeat(20_000) + "#";
        final String topic = "a/".repeat(20_000) + "z";
        trie.subscribe(filter, "deep", 0);

        assertThat(matches(topic)).containsExactly("deep=0");
        trie.unsubscribe(filter, "deep");
        assertThat(trie.nodeCount()).isZero();
    }
}
