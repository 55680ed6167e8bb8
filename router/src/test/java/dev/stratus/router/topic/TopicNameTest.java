package dev.stratus.router.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"sport/tennis/player1", "/", "a//b", "/finance", "a/", " ", "$SYS/broker/uptime",
        "ümlaut/日本/\uD83D\uDE00", "sport/tennis player"})
    void acceptsWellFormedNames(String name) {
        assertThat(TopicName.isValid(name)).isTrue();
    }

    @Test
    void mustBeAtLeastOneCharacter_MQTT_4_7_3_1() {
        assertThat(TopicName.isValid("")).isFalse();
        assertThat(TopicName.isValid(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"+", "#", "sport/+", "sport/#", "sp+rt", "a/b#"})
    void mustNotContainWildcards_MQTT_4_7_1_1_and_MQTT_3_3_2_2(String name) {
        assertThat(TopicName.isValid(name)).isFalse();
    }

    @Test
    void mustNotContainNullCharacter_MQTT_4_7_3_2() {
        assertThat(TopicName.isValid("a\u0000b")).isFalse();
    }

    @Test
    void mustNotContainUnpairedSurrogates_MQTT_1_5_3_1() {
        assertThat(TopicName.isValid("a\uD800")).isFalse();
        assertThat(TopicName.isValid("\uDC00a")).isFalse();
        assertThat(TopicName.isValid("\uD800\uD800\uDC00")).isFalse();
        assertThat(TopicName.isValid("\uD800\uDC00")).isTrue();
    }

    @Test
    void replacementCharacterCountsAsMalformedInput_MQTT_1_5_3_1() {
        assertThat(TopicName.isValid("sensor/\uFFFD")).isFalse();
    }

    @Test
    void encodedLengthMustNotExceed65535Bytes_MQTT_4_7_3_3() {
        assertThat(TopicName.isValid("a".repeat(65_535))).isTrue();
        assertThat(TopicName.isValid("a".repeat(65_536))).isFalse();
        // 'é' takes two bytes in UTF-8: 32768 * 2 = 65536
        assertThat(TopicName.isValid("é".repeat(32_767))).isTrue();
        assertThat(TopicName.isValid("é".repeat(32_768))).isFalse();
        // '日' takes three bytes: 21845 * 3 = 65535
        assertThat(TopicName.isValid("日".repeat(21_845))).isTrue();
        assertThat(TopicName.isValid("日".repeat(21_845) + "a")).isFalse();
        // a surrogate pair takes four bytes
        assertThat(TopicName.isValid("\uD83D\uDE00".repeat(16_383) + "aaa")).isTrue();
        assertThat(TopicName.isValid("\uD83D\uDE00".repeat(16_384))).isFalse();
    }

    @Test
    void dollarTopicsAreSystemTopics_MQTT_4_7_2_1() {
        assertThat(TopicName.isSysTopic("$SYS/broker/load")).isTrue();
        assertThat(TopicName.isSysTopic("$")).isTrue();
        assertThat(TopicName.isSysTopic("SYS/$")).isFalse();
        assertThat(TopicName.isSysTopic("")).isFalse();
    }
}
