package dev.stratus.state.redis;

import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisKeysTest {

    private final RedisKeys keys = new RedisKeys("stratus");

    /** The hash tag as Redis Cluster computes it: from the first '{' to the first '}' after it. */
    private static String hashTag(String key) {
        int open = key.indexOf('{');
        int close = key.indexOf('}', open + 1);
        return key.substring(open + 1, close);
    }

    @Test
    void sessionKeysShareOneHashTag() {
        SessionKey key = new SessionKey(new TenantId("acme"), "sensor-1");
        String[] all = keys.session(key).all();

        assertThat(all[0]).isEqualTo("stratus:{t:acme:s:sensor-1}:session");
        assertThat(Arrays.stream(all).map(RedisKeysTest::hashTag).distinct()).containsExactly("t:acme:s:sensor-1");
        assertThat(all).doesNotHaveDuplicates();
    }

    @Test
    void bracesInClientIdCannotEndTheTagEarly() {
        SessionKey key = new SessionKey(new TenantId("acme"), "evil}x{y");
        String[] all = keys.session(key).all();

        assertThat(Arrays.stream(all).map(RedisKeysTest::hashTag).distinct())
                .containsExactly("t:acme:s:evil%7Dx%7By");
    }

    @Test
    void colonsCannotMakeTwoSessionsShareKeys() {
        SessionKey a = new SessionKey(new TenantId("a:s:b"), "c");
        SessionKey b = new SessionKey(new TenantId("a"), "b:s:c");

        assertThat(keys.session(a).session()).isNotEqualTo(keys.session(b).session());
        assertThat(keys.retained(new TenantId("a:s:b"))).isNotEqualTo(keys.retained(new TenantId("a")));
    }

    @Test
    void escapingIsInjective() {
        assertThat(RedisKeys.escape("%7D")).isEqualTo("%257D");
        assertThat(RedisKeys.escape("}")).isEqualTo("%7D");
        assertThat(RedisKeys.escape("plain")).isSameAs("plain");
    }

    @Test
    void tenantKeysShareTheTenantTag() {
        TenantId tenant = new TenantId("acme");

        assertThat(hashTag(keys.retained(tenant))).isEqualTo("t:acme");
        assertThat(hashTag(keys.retainedIndex(tenant))).isEqualTo("t:acme");
        assertThat(hashTag(keys.sessionIndex(tenant))).isEqualTo("t:acme");
    }

    @Test
    void prefixMustNotHoldBraces() {
        assertThatThrownBy(() -> new RedisKeys("a{b")).isInstanceOf(IllegalArgumentException.class);
    }
}
