package dev.stratus.ingress.session;

import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredSession;
import dev.stratus.state.model.StoredSubscription;

import java.util.Collections;
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
    /** Created by the first subscription: most sessions of idle or publishing clients never have one. */
    private volatile Map<String, StoredSubscription> subscriptions;
    /** How long the session outlives its connection, in seconds; 0 ends it with the connection. */
    private volatile long expiryIntervalSeconds;
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

    /** Whether the session outlives its connection (MQTT 3.1.1 CleanSession=0, MQTT 5 Session Expiry > 0). */
    public boolean isPersistent() {
        return expiryIntervalSeconds != 0;
    }

    /** @param persistent true for a session that never expires (MQTT 3.1.1 CleanSession=0), false for one that ends */
    public void setPersistent(boolean persistent) {
        this.expiryIntervalSeconds = persistent ? StoredSession.NEVER_EXPIRES : 0;
    }

    /** Seconds the session outlives its connection; {@link StoredSession#NEVER_EXPIRES} for ever. */
    public long expiryIntervalSeconds() {
        return expiryIntervalSeconds;
    }

    public void setExpiryIntervalSeconds(long seconds) {
        this.expiryIntervalSeconds = seconds;
    }

    /** The session's subscriptions by filter, read-only (a live view once there is one). */
    public Map<String, StoredSubscription> subscriptions() {
        Map<String, StoredSubscription> s = subscriptions;
        return s == null ? Map.of() : Collections.unmodifiableMap(s);
    }

    /** Adds or replaces the subscription with the same filter. @return the one it replaced, or null */
    public StoredSubscription putSubscription(StoredSubscription subscription) {
        Map<String, StoredSubscription> s = subscriptions;
        if (s == null) {
            synchronized (this) {
                s = subscriptions;
                if (s == null) {
                    s = new ConcurrentHashMap<>();
                    subscriptions = s;
                }
            }
        }
        return s.put(subscription.filter(), subscription);
    }

    /** @return the removed subscription, or null when the session had none with that filter */
    public StoredSubscription removeSubscription(String filter) {
        Map<String, StoredSubscription> s = subscriptions;
        return s == null ? null : s.remove(filter);
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
        return "Session[" + key + (isPersistent() ? ", expiry " + expiryIntervalSeconds + " s" : ", clean") + "]";
    }
}
