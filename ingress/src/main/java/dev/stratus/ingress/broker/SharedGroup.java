package dev.stratus.ingress.broker;

import dev.stratus.ingress.session.Session;
import dev.stratus.ingress.session.SessionSink;
import dev.stratus.state.model.StoredSubscription;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The members of one shared subscription group on this node: the sessions subscribed to
 * {@code $share/{shareName}/{filter}} (section 4.8.2). Each message matching the filter goes to one member, chosen
 * round robin among the members that are connected and keeping up, then among connected ones, then among offline
 * persistent sessions (whose queue takes it). Members change rarely, messages often: the member list is
 * copy-on-write, choosing reads it without a lock.
 */
public final class SharedGroup {

    /** A member: its session and its subscription (the granted QoS [MQTT5-4.8.2-3]). */
    public record Member(Session session, StoredSubscription subscription) {
    }

    private final String shareName;
    private final String filter;
    private final String subscriptionFilter;
    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final AtomicInteger cursor = new AtomicInteger();

    SharedGroup(String shareName, String filter) {
        this.shareName = shareName;
        this.filter = filter;
        this.subscriptionFilter = "$share/" + shareName + "/" + filter;
    }

    public String shareName() {
        return shareName;
    }

    public String filter() {
        return filter;
    }

    /** The subscription filter members subscribed with: {@code $share/{shareName}/{filter}}. */
    public String subscriptionFilter() {
        return subscriptionFilter;
    }

    /** Adds or replaces the member for {@code session}. */
    void put(Session session, StoredSubscription subscription) {
        synchronized (members) {
            remove(session);
            members.add(new Member(session, subscription));
        }
    }

    /** @return true when the session was a member */
    boolean remove(Session session) {
        synchronized (members) {
            return members.removeIf(m -> m.session() == session);
        }
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    int size() {
        return members.size();
    }

    /**
     * Chooses the member for the next message, never {@code exclude} (may be null).
     *
     * @return the member, or null when there is none to choose
     */
    Member choose(Session exclude) {
        Object[] snapshot = members.toArray();
        int n = snapshot.length;
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(cursor.getAndIncrement(), n);
        Member connected = null;
        Member offline = null;
        for (int i = 0; i < n; i++) {
            Member m = (Member) snapshot[(start + i) % n];
            if (m.session() == exclude) {
                continue;
            }
            SessionSink sink = m.session().connection();
            if (sink != null) {
                if (!sink.isCongested()) {
                    return m;
                }
                if (connected == null) {
                    connected = m;
                }
            } else if (offline == null && m.session().isPersistent()) {
                offline = m;
            }
        }
        return connected != null ? connected : offline;
    }

    @Override
    public String toString() {
        return "$share/" + shareName + "/" + filter + " (" + members.size() + " members)";
    }
}
