package dev.stratus.ingress.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StaticAuthenticatorTest {

    private static AuthResult auth(StaticAuthenticator a, String user, String password) {
        return a.authenticate(new Credentials("c", user,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8))).toCompletableFuture().join();
    }

    @Test
    void withoutConfiguredUsersAnonymousModeAcceptsAnyUserName() {
        StaticAuthenticator a = new StaticAuthenticator(true, Map.of());
        assertThat(auth(a, null, null)).isEqualTo(AuthResult.ACCEPTED);
        assertThat(auth(a, "someone", "anything")).isEqualTo(AuthResult.ACCEPTED);
    }

    @Test
    void withConfiguredUsersOnlyTheRightPasswordIsAccepted() {
        StaticAuthenticator a = new StaticAuthenticator(true, Map.of("alice", "secret"));
        assertThat(auth(a, "alice", "secret")).isEqualTo(AuthResult.ACCEPTED);
        assertThat(auth(a, "alice", "wrong")).isEqualTo(AuthResult.BAD_CREDENTIALS);
        assertThat(auth(a, "alice", null)).isEqualTo(AuthResult.BAD_CREDENTIALS);
        assertThat(auth(a, "mallory", "secret")).isEqualTo(AuthResult.BAD_CREDENTIALS);
        assertThat(auth(a, null, null)).isEqualTo(AuthResult.ACCEPTED);
    }

    @Test
    void anonymousClientsAreNotAuthorizedWhenAnonymousAccessIsOff() {
        StaticAuthenticator a = new StaticAuthenticator(false, Map.of("alice", "secret"));
        assertThat(auth(a, null, null)).isEqualTo(AuthResult.NOT_AUTHORIZED);
        assertThat(auth(a, "alice", "secret")).isEqualTo(AuthResult.ACCEPTED);
    }
}
