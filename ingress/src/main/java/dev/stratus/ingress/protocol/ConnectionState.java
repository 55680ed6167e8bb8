package dev.stratus.ingress.protocol;

/** Where a connection is in its life. */
enum ConnectionState {
    /** TCP is up; the first packet must be CONNECT [MQTT-3.1.0-1]. */
    AWAIT_CONNECT,
    /** CONNECT arrived; authentication and session set-up are under way; later packets wait. */
    CONNECTING,
    /** CONNACK 0x00 was sent. */
    CONNECTED,
    /** The connection is closing or closed. */
    CLOSED
}
