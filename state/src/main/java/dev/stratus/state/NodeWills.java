package dev.stratus.state;

import dev.stratus.state.model.SessionKey;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The wills of the connections each node holds, so that when a node dies a surviving node can publish them (a
 * will is published when a connection ends without DISCONNECT, and a crash is such an end). The node that holds
 * a connection registers its will at CONNECT and removes it when the connection ends (it handles the will then).
 * The will is stored as opaque bytes: its encoding belongs to the broker.
 */
public interface NodeWills {

    CompletionStage<Void> put(String nodeId, SessionKey key, byte[] will);

    CompletionStage<Void> remove(String nodeId, SessionKey key);

    /** The wills a node registered and has not removed. */
    CompletionStage<Map<SessionKey, byte[]>> list(String nodeId);

    /** Forgets every will of a node (after a survivor has handled them). */
    CompletionStage<Void> clear(String nodeId);
}
