package dev.stratus.ingress.auth;

/** The outcome of authenticating a CONNECT. */
public enum AuthResult {
    /** The client may connect. */
    ACCEPTED,
    /** A user name or password was given and is wrong: CONNACK 0x04. */
    BAD_CREDENTIALS,
    /** The client is not allowed to connect (for example anonymous clients are refused): CONNACK 0x05. */
    NOT_AUTHORIZED
}
