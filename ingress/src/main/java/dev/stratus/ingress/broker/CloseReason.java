package dev.stratus.ingress.broker;

/**
 * Why a network connection ended. Every connection a listener accepted closes exactly once, with the first reason
 * given for it (a refused CONNECT whose write then fails stays {@link #CONNECT_REFUSED}).
 */
public enum CloseReason {
    /** The client sent DISCONNECT. */
    CLIENT_DISCONNECT,
    /** Nothing received for 1.5 times the keep alive [MQTT-3.1.2-24]. */
    KEEP_ALIVE_TIMEOUT,
    /** The client broke the protocol: a malformed or unexpected packet, an invalid topic, a second CONNECT. */
    PROTOCOL_ERROR,
    /**
     * The network connection failed (reset, I/O error, failed TLS handshake) or the client closed it without
     * DISCONNECT; also, for now, a connection the packet framer closed for an oversized or malformed packet.
     */
    SOCKET_ERROR,
    /** Another connection with the same client identifier took the session over [MQTT-3.1.4-2]. */
    TAKEN_OVER,
    /** CONNECT was answered with a refusal code (bad credentials, not authorized, server full, ...). */
    CONNECT_REFUSED,
    /** No CONNECT arrived within {@code stratus.limits.connect-timeout}. */
    CONNECT_TIMEOUT,
    /** The broker is shutting down. */
    SERVER_SHUTDOWN,
    /** The broker failed: an unexpected exception while handling a packet, or a state store error. */
    SERVER_ERROR
}
