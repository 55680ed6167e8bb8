package dev.stratus.router.topic;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class SharedSubscriptionTest {

    @Test
    @DisplayName("[MQTT5-4.8.2-1] $share/{ShareName}/{filter} splits into the share name and the filter")
    void parses() {
        assertThat(SharedSubscription.parse("$share/workers/jobs/+")).isEqualTo(new SharedSubscription("workers", "jobs/+"));
        assertThat(SharedSubscription.parse("$share/g/#")).isEqualTo(new SharedSubscription("g", "#"));
        assertThat(SharedSubscription.parse("$share/g//")).isEqualTo(new SharedSubscription("g", "/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"$share/", "$share//t", "$share/g", "$share/g/", "$share/g+/t", "$share/#/t", "$share/g/a/#/b"})
    @DisplayName("[MQTT5-4.8.2-1] [MQTT5-4.8.2-2] an empty or wildcard share name, or a missing or invalid filter, is "
            + "not a shared subscription")
    void rejects(String filter) {
        assertThat(SharedSubscription.isShared(filter)).isTrue();
        assertThat(SharedSubscription.parse(filter)).isNull();
    }

    @Test
    @DisplayName("other filters are not shared")
    void notShared() {
        assertThat(SharedSubscription.isShared("share/g/t")).isFalse();
        assertThat(SharedSubscription.parse("$SYS/x")).isNull();
    }
}
