package dev.stratus.ingress.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Embedded authentication: a fixed table of user names and passwords, and whether clients without a user name
 * may connect. When users are configured, a user name must be one of them with its password (else CONNACK 0x04);
 * when none are and anonymous clients are allowed, any user name is accepted, as Mosquitto does. Passwords are
 * compared in constant time.
 */
public final class StaticAuthenticator implements Authenticator {

    private static final CompletionStage<AuthResult> ACCEPTED = CompletableFuture.completedFuture(AuthResult.ACCEPTED);
    private static final CompletionStage<AuthResult> BAD = CompletableFuture.completedFuture(AuthResult.BAD_CREDENTIALS);
    private static final CompletionStage<AuthResult> NOT_AUTHORIZED =
            CompletableFuture.completedFuture(AuthResult.NOT_AUTHORIZED);

    private final boolean allowAnonymous;
    private final Map<String, byte[]> passwords;

    public StaticAuthenticator(boolean allowAnonymous, Map<String, String> users) {
        this.allowAnonymous = allowAnonymous;
        this.passwords = users.entrySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                Map.Entry::getKey, e -> e.getValue().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public CompletionStage<AuthResult> authenticate(Credentials credentials) {
        if (credentials.username() == null) {
            return allowAnonymous ? ACCEPTED : NOT_AUTHORIZED;
        }
        if (passwords.isEmpty()) {
            // no credentials configured: a user name identifies the client but proves nothing
            return allowAnonymous ? ACCEPTED : BAD;
        }
        byte[] expected = passwords.get(credentials.username());
        if (expected == null) {
            return BAD;
        }
        byte[] given = credentials.password() == null ? new byte[0] : credentials.password();
        return MessageDigest.isEqual(expected, given) ? ACCEPTED : BAD;
    }
}
