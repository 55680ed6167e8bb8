package dev.stratus.ingress.broker;

import dev.stratus.ingress.auth.AuthResult;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one broker engine. Updated from every event loop; cheap to update (one {@link LongAdder} increment
 * per event, arrays indexed by QoS or enum ordinal, no allocation), read for {@code $SYS}, metrics and tests.
 * Plain Java: the Micrometer meters ({@code dev.stratus.ingress.metrics.BrokerMeterBinder}) read these.
 */
public final class BrokerStats {

    private static final CloseReason[] CLOSE_REASONS = CloseReason.values();
    private static final DropReason[] DROP_REASONS = DropReason.values();
    private static final AuthResult[] AUTH_RESULTS = AuthResult.values();

    private final AtomicInteger connections = new AtomicInteger();
    private final LongAdder connectionsOpened = new LongAdder();
    private final LongAdder[] connectionsClosed = adders(CLOSE_REASONS.length);
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder[] messagesReceived = adders(3);
    private final LongAdder[] messagesSent = adders(3);
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder[] dropped = adders(DROP_REASONS.length);
    private final LongAdder inflight = new LongAdder();
    private final LongAdder queued = new LongAdder();
    /** One per {@link AuthResult}, then one for authentications that failed with an error. */
    private final LongAdder[] authResults = adders(AUTH_RESULTS.length + 1);

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    // ---- connections -----------------------------------------------------------------------------------------

    /** A listener accepted a network connection; it will be counted once in {@link #connectionClosed}. */
    public void socketOpened() {
        connectionsOpened.increment();
    }

    /** The connection sent CONNECT. @return the number of such connections now, for the maximum-connections check */
    public int connectionOpened() {
        return connections.incrementAndGet();
    }

    /** A connection counted by {@link #connectionOpened} is gone. */
    public void connectionClosed() {
        connections.decrementAndGet();
    }

    /** A network connection counted by {@link #socketOpened} closed. */
    public void socketClosed(CloseReason reason) {
        connectionsClosed[reason.ordinal()].increment();
    }

    /** Connections open now that sent a CONNECT (accepted, or being refused). */
    public int connections() {
        return connections.get();
    }

    /** Network connections the listeners accepted, CONNECT sent or not. */
    public long connectionsOpened() {
        return connectionsOpened.sum();
    }

    public long connectionsClosed(CloseReason reason) {
        return connectionsClosed[reason.ordinal()].sum();
    }

    // ---- messages --------------------------------------------------------------------------------------------

    /** A message is routed (from a client's PUBLISH or a will). */
    public void messageIn() {
        messagesIn.increment();
    }

    /** A client's PUBLISH was accepted (valid topic, not a QoS 2 re-send), with its payload size. */
    public void messageReceived(int qos, int payloadBytes) {
        messagesReceived[qos].increment();
        bytesReceived.add(payloadBytes);
    }

    /** A PUBLISH was written to a client, with its payload size. */
    public void messageSent(int qos, int payloadBytes) {
        messagesSent[qos].increment();
        bytesSent.add(payloadBytes);
    }

    public void dropped(DropReason reason, long count) {
        if (count > 0) {
            dropped[reason.ordinal()].add(count);
        }
    }

    /** QoS 1/2 messages sent to connected clients and not acknowledged yet: {@code delta} more (or fewer). */
    public void inflight(int delta) {
        if (delta != 0) {
            inflight.add(delta);
        }
    }

    /** Messages waiting for a session (in a connection's overflow queue or a store queue): {@code delta} more. */
    public void queued(long delta) {
        if (delta != 0) {
            queued.add(delta);
        }
    }

    /** Messages routed, wills included. */
    public long messagesIn() {
        return messagesIn.sum();
    }

    /** PUBLISH packets written to clients, all QoS. */
    public long messagesOut() {
        return messagesSent[0].sum() + messagesSent[1].sum() + messagesSent[2].sum();
    }

    public long messagesReceived(int qos) {
        return messagesReceived[qos].sum();
    }

    public long messagesSent(int qos) {
        return messagesSent[qos].sum();
    }

    /** Payload bytes of the PUBLISH packets received from clients. */
    public long bytesReceived() {
        return bytesReceived.sum();
    }

    /** Payload bytes of the PUBLISH packets written to clients. */
    public long bytesSent() {
        return bytesSent.sum();
    }

    public long dropped(DropReason reason) {
        return dropped[reason.ordinal()].sum();
    }

    public long inflight() {
        return inflight.sum();
    }

    public long queued() {
        return queued.sum();
    }

    // ---- authentication --------------------------------------------------------------------------------------

    public void authenticated(AuthResult result) {
        authResults[result.ordinal()].increment();
    }

    /** The authenticator failed with an error (the client got CONNACK 0x03). */
    public void authenticationError() {
        authResults[AUTH_RESULTS.length].increment();
    }

    public long authResults(AuthResult result) {
        return authResults[result.ordinal()].sum();
    }

    public long authenticationErrors() {
        return authResults[AUTH_RESULTS.length].sum();
    }
}
