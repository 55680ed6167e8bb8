package dev.stratus.ingress.auth;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** $SYS subscriptions need an explicit allow rule; the default policy does not open them. */
class AclAuthorizerTest {

    private static Authorizer acl(boolean defaultAllow, String... rules) {
        return AclAuthorizer.fromConfig(List.of(rules), defaultAllow);
    }

    @Test
    @DisplayName("without rules everything is allowed except subscribing to $SYS")
    void defaultAllowDoesNotOpenSys() {
        Authorizer a = acl(true);
        assertThat(a.canSubscribe("c", null, "$SYS/#")).isFalse();
        assertThat(a.canSubscribe("c", null, "$SYS/broker/uptime")).isFalse();
        assertThat(a.canSubscribe("c", null, "$SYS")).isFalse();
        // [MQTT-4.7.2-1] these never match $SYS topics: unaffected
        assertThat(a.canSubscribe("c", null, "#")).isTrue();
        assertThat(a.canSubscribe("c", null, "+/broker/#")).isTrue();
        assertThat(a.canSubscribe("c", null, "a/b")).isTrue();
        assertThat(a.canSubscribe("c", null, "$app/x")).isTrue();
        assertThat(a.canPublish("c", null, "a/b")).isTrue();
    }

    @Test
    @DisplayName("an allow rule covering the filter opens $SYS for the client or user it names")
    void explicitAllowRuleOpensSys() {
        Authorizer a = acl(true, "allow subscribe $SYS/# client=monitor", "allow subscribe $SYS/broker/+ user=ops");
        assertThat(a.canSubscribe("monitor", null, "$SYS/#")).isTrue();
        assertThat(a.canSubscribe("monitor", null, "$SYS/broker/#")).isTrue();
        assertThat(a.canSubscribe("monitor", null, "$SYS/broker/clients/connected")).isTrue();
        assertThat(a.canSubscribe("other", null, "$SYS/#")).isFalse();
        assertThat(a.canSubscribe("other", "ops", "$SYS/broker/uptime")).isTrue();
        // the rule covers one level only
        assertThat(a.canSubscribe("other", "ops", "$SYS/broker/#")).isFalse();
        assertThat(a.canSubscribe("other", "ops", "$SYS/broker/clients/connected")).isFalse();
    }

    @Test
    @DisplayName("a rule that only overlaps, or a wildcard-first allow rule, does not open $SYS")
    void onlyCoveringRulesOpenSys() {
        Authorizer a = acl(true, "allow subscribe $SYS/broker/uptime", "allow all #", "allow subscribe +/#");
        assertThat(a.canSubscribe("c", null, "$SYS/broker/uptime")).isTrue();
        assertThat(a.canSubscribe("c", null, "$SYS/broker/#")).isFalse();
        assertThat(a.canSubscribe("c", null, "$SYS/#")).isFalse();
    }

    @Test
    @DisplayName("first match wins: a deny before the allow closes part of $SYS")
    void denyBeforeAllow() {
        Authorizer a = acl(true, "deny subscribe $SYS/broker/clients/#", "allow subscribe $SYS/#");
        assertThat(a.canSubscribe("c", null, "$SYS/broker/clients/connected")).isFalse();
        assertThat(a.canSubscribe("c", null, "$SYS/broker/#")).isFalse();
        assertThat(a.canSubscribe("c", null, "$SYS/broker/uptime")).isTrue();
    }

    @Test
    @DisplayName("with a deny default an allow rule opens $SYS as any other topic")
    void denyDefault() {
        Authorizer a = acl(false, "allow subscribe $SYS/#");
        assertThat(a.canSubscribe("c", null, "$SYS/broker/uptime")).isTrue();
        assertThat(a.canSubscribe("c", null, "a/b")).isFalse();
        assertThat(acl(false).canSubscribe("c", null, "$SYS/#")).isFalse();
    }
}
