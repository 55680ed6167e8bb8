package dev.stratus.ingress.auth;

/**
 * What a client presented in CONNECT.
 *
 * @param clientId  the client identifier (after assignment, never empty)
 * @param username  the user name, or null
 * @param password  the password bytes, or null
 */
public record Credentials(String clientId, String username, byte[] password) {
}
