package dev.stratus.ingress.session;

import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredSubscription;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One MQTT session on this node, from its first CONNECT until it ends (a clean session ends with its connection;
 * a persistent one lives on while its client is offline). It is the key under which the session's
 * subscriptions sit in the subscription trie, so it lives as long as any of them.
 * <p>
 * Concurrency: {@link #owner()} and {@link #connection()} change under this object's monitor; publishers on any
 * event loop read the connection under the same monitor (see {@link SessionSink}) so that a message is either
 * handed to the live connection or queued in the store, never both and never lost in between. Subscriptions are
 * a concurrent map because SUBSCRIBE runs on the owner's event loop while the registry reads them.
 */
public final class Session {

    private final SessionKey key;
    private final Map<String, StoredSubscription> subscriptions = new ConcurrentHashMap<>();
    private volatile boolean persistent;
    private Object owner;
    private volatile SessionSink connection;

    Session(SessionKey key) {
        this.key = key;
    }

    public SessionKey key() {
        return key;
    }

    public String clientId() {
        return key.clientId();
    }

    public boolean isPersistent() {
        return persistent;
    }

    public void setPersistent(boolean persistent) {
        this.persistent = persistent;
    }

    public Map<String, StoredSubscription> subscriptions() {
        return subscriptions;
    }

    /** The connection that most recently claimed this session (it may still be resuming it). */
    public synchronized Object owner() {
        return owner;
    }

    synchronized Object claim(Object newOwner) {
        Object previous = owner;
        owner = newOwner;
        return previous;
    }

    public synchronized boolean isOwnedBy(Object candidate) {
        return owner == candidate;
    }

    /**
     * The connection that receives this session's messages now, or null while they are queued. To hand it a
     * message, hold this session's monitor (see {@link dev.stratus.ingress.broker.Broker#deliver}); a bare read is
     * only a hint.
     */
    public SessionSink connection() {
        return connection;
    }

    /** Makes {@code sink} the receiver of this session's messages. */
    public synchronized void attach(SessionSink sink) {
        this.connection = sink;
    }

    /**
     * Stops delivering to {@code sink} if it is the attached one, and runs {@code whileLocked} under the session
     * monitor so that nothing is delivered between the switch and the hand-over of the sink's leftovers.
     */
    public synchronized void detach(SessionSink sink, Runnable whileLocked) {
        if (connection == sink) {
            connection = null;
        }
        whileLocked.run();
    }

    @Override
    public String toString() {
        return "Session[" + key + (persistent ? ", persistent" : ", clean") + "]";
    }
}
