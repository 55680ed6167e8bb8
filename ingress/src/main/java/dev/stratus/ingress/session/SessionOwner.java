package dev.stratus.ingress.session;

import io.netty.util.concurrent.Future;

/** A connection that owns a session and can be made to let go of it. */
public interface SessionOwner {

    /**
     * Another connection (on this node or another) claimed the session: close (MQTT 5: DISCONNECT 0x8E) and hand
     * the session over. The future completes once what the session left behind is in the store.
     */
    Future<Void> takeOver();
}
