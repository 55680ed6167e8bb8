package dev.stratus.router.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicFilterTest {

    @ParameterizedTest
    @ValueSource(strings = {"sport/tennis/player1/#", "sport/#", "#", "+", "+/tennis/#", "sport/+/player1", "/+",
        "+/+", "sport/+", "a//b", "$SYS/#", "/", "a/+/+/b/#"})
    void acceptsWellFormedFilters_MQTT_4_7_1(String filter) {
        assertThat(TopicFilter.isValid(filter)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sport/tennis#", "sport/tennis/#/ranking", "#/", "##", "a/#b", "a/b#"})
    void multiLevelWildcardMustBeAloneInTheLastLevel_MQTT_4_7_1_2(String filter) {
        assertThat(TopicFilter.isValid(filter)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sport+", "sport/+tennis", "+a", "a+/b", "++", "a/++/b"})
    void singleLevelWildcardMustOccupyAWholeLevel_MQTT_4_7_1_3(String filter) {
        assertThat(TopicFilter.isValid(filter)).isFalse();
    }

    @Test
    void mustBeAtLeastOneCharacter_MQTT_4_7_3_1() {
        assertThat(TopicFilter.isValid("")).isFalse();
        assertThat(TopicFilter.isValid(null)).isFalse();
    }

    @Test
    void mustNotContainNullCharacter_MQTT_4_7_3_2() {
        assertThat(TopicFilter.isValid("a/\u0000/#")).isFalse();
    }

    @Test
    void mustBeWellFormedUtf16WithoutReplacementCharacter_MQTT_1_5_3_1() {
        assertThat(TopicFilter.isValid("a/\uD800/#")).isFalse();
        assertThat(TopicFilter.isValid("a/\uFFFD")).isFalse();
        assertThat(TopicFilter.isValid("a/\uD83D\uDE00/+")).isTrue();
    }

    @Test
    void encodedLengthMustNotExceed65535Bytes_MQTT_4_7_3_3() {
        assertThat(TopicFilter.isValid("a".repeat(65_533) + "/#")).isTrue();
        assertThat(TopicFilter.isValid("a".repeat(65_534) + "/#")).isFalse();
        assertThat(TopicFilter.isValid("é".repeat(32_768))).isFalse();
    }

    @Test
    void detectsWildcards() {
        assertThat(TopicFilter.hasWildcard("a/+/b")).isTrue();
        assertThat(TopicFilter.hasWildcard("a/#")).isTrue();
        assertThat(TopicFilter.hasWildcard("a/b")).isFalse();
    }

    @ParameterizedTest(name = "{0} matches {1}")
    @CsvSource(delimiter = '|', value = {
        // section 4.7.1.2 examples
        "sport/tennis/player1/# | sport/tennis/player1",
        "sport/tennis/player1/# | sport/tennis/player1/ranking",
        "sport/tennis/player1/# | sport/tennis/player1/score/wimbledon",
        "sport/#                | sport",
        "#                      | sport/tennis",
        // section 4.7.1.3 examples
        "sport/tennis/+         | sport/tennis/player1",
        "sport/tennis/+         | sport/tennis/player2",
        "sport/+                | sport/",
        "+/+                    | /finance",
        "/+                     | /finance",
        "+/+                    | /",
        "+                      | ''",
        // empty levels are levels
        "a//b                   | a//b",
        "a/+/b                  | a//b",
        "a/#                    | a/",
        "$SYS/#                 | $SYS/monitor/Clients",
        "$SYS/monitor/+         | $SYS/monitor/Clients",
        "$SYS                   | $SYS",
    })
    void matchesSpecExamples_MQTT_4_7_1(String filter, String topic) {
        assertThat(TopicFilter.matches(filter, topic)).isTrue();
    }

    @ParameterizedTest(name = "{0} does not match {1}")
    @CsvSource(delimiter = '|', value = {
        "sport/tennis/+ | sport/tennis/player1/ranking",
        "sport/+        | sport",
        "+              | /finance",
        "/+             | finance",
        "sport/tennis   | sport/tennis/",
        "sport/tennis/  | sport/tennis",
        "sport          | sports",
        "sports         | sport",
        "a/b/c          | a/b",
        "a/+/c          | a/b",
        "+/+            | a",
    })
    void rejectsNonMatches_MQTT_4_7_1(String filter, String topic) {
        assertThat(TopicFilter.matches(filter, topic)).isFalse();
    }

    @ParameterizedTest(name = "{0} does not match {1}")
    @CsvSource(delimiter = '|', value = {
        "#                | $SYS/monitor/Clients",
        "#                | $SYS",
        "+/monitor/Clients | $SYS/monitor/Clients",
        "+                | $SYS",
        "+/#              | $SYS/x",
    })
    void wildcardFirstLevelNeverMatchesDollarTopics_MQTT_4_7_2_1(String filter, String topic) {
        assertThat(TopicFilter.matches(filter, topic)).isFalse();
    }
}
