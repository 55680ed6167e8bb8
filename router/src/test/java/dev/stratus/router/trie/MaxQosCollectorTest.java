package dev.stratus.router.trie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaxQosCollectorTest {

    private final MaxQosCollector<String> collector = new MaxQosCollector<>(2);

    @Test
    void keepsHighestQosPerSubscriberInFirstSeenOrder_MQTT_3_3_5_1() {
        collector.add("b", 1);
        collector.add("a", 0);
        collector.add("b", 0);
        collector.add("a", 2);

        final Map<String, Integer> seen = new LinkedHashMap<>();
        collector.forEach(seen::put);
        assertThat(seen).containsExactly(Map.entry("b", 1), Map.entry("a", 2));
    }

    @Test
    void growsAndClearsForReuse() {
        for (int round = 0; round < 3; round++) {
            collector.clear();
            for (int i = 0; i < 1_000; i++) {
                collector.add("c" + i, i % 3);
                collector.add("c" + i, 1);
            }
            assertThat(collector.size()).isEqualTo(1_000);
            assertThat(collector.qosOf("c2")).isEqualTo(2);
            assertThat(collector.qosOf("c3")).isEqualTo(1);
        }
        collector.clear();
        assertThat(collector.size()).isZero();
        assertThat(collector.qosOf("c2")).isEqualTo(-1);
    }

    @Test
    void rejectsQosOutsideZeroToTwo() {
        assertThatThrownBy(() -> collector.add("a", 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> collector.add("a", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
