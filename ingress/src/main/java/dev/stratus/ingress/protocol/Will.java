package dev.stratus.ingress.protocol;

import dev.stratus.state.model.StoredMessage;

/** The Will Message of a connection, published when it ends without DISCONNECT [MQTT-3.1.2-8]. */
record Will(StoredMessage message) {
}
