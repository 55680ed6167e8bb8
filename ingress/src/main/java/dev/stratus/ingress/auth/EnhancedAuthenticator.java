package dev.stratus.ingress.auth;

/**
 * An MQTT 5 enhanced authentication method (section 4.12): a challenge/response exchange carried in the
 * Authentication Method and Data of CONNECT, AUTH and CONNACK, also used to re-authenticate a connected client
 * (AUTH 0x19). The broker picks the implementation by the method name the client sends; one the broker does not
 * know is refused with CONNACK 0x8C [MQTT5-4.12.0-1].
 * <p>
 * Implementations must not block: each step returns a stage, so that a method that calls out (an identity
 * provider verifying a token) completes it later. The OIDC method of a later issue implements this interface.
 */
public interface EnhancedAuthenticator {

    /** The Authentication Method name, e.g. {@code SCRAM-SHA-256}. */
    String method();

    /**
     * Starts an exchange for a client that connects or re-authenticates.
     *
     * @param clientId the client identifier (assigned already when the client sent none)
     * @param username the user name of the CONNECT, or null
     */
    AuthExchange start(String clientId, String username);
}
