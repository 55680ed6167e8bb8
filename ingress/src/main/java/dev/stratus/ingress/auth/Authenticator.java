package dev.stratus.ingress.auth;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether a client may connect. Implementations must not block: one that calls out (an identity
 * provider, a token introspection endpoint) returns an incomplete stage.
 */
@FunctionalInterface
public interface Authenticator {

    CompletionStage<AuthResult> authenticate(Credentials credentials);
}
