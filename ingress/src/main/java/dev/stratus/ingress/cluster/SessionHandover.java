package dev.stratus.ingress.cluster;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.session.Session;
import dev.stratus.ingress.session.SessionOwner;
import dev.stratus.state.SessionOwnership;
import dev.stratus.state.model.SessionKey;
import io.netty.util.concurrent.Future;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Session takeover across nodes. A connection claims its session in {@link SessionOwnership} (a new fencing epoch);
 * if another node owned it, that node is sent a {@code Takeover}: it disconnects its connection (MQTT 5: 0x8E),
 * waits until the connection's leftovers are in the store, forgets the session, and answers {@code Released}. The
 * claiming connection resumes the session from the store only then, or after the takeover timeout when the old
 * node does not answer (it died: its state in the store is what there is).
 */
final class SessionHandover {

    private static final Logger LOG = Logger.getLogger(SessionHandover.class);

    private final Broker broker;
    private final SessionOwnership ownership;
    private final ClusterBus bus;
    private final String nodeId;
    private final Duration timeout;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();

    SessionHandover(Broker broker, SessionOwnership ownership, ClusterBus bus, String nodeId, Duration timeout) {
        this.broker = broker;
        this.ownership = ownership;
        this.bus = bus;
        this.nodeId = nodeId;
        this.timeout = timeout;
    }

    CompletionStage<Void> claim(SessionKey key) {
        return ownership.claim(key, nodeId).thenCompose(claim -> {
            SessionOwnership.Owner previous = claim.previous();
            if (previous == null || previous.nodeId().equals(nodeId)) {
                return CompletableFuture.completedFuture(null);
            }
            String waitKey = key.tenant().value() + '\0' + key.clientId() + '\0' + claim.epoch();
            CompletableFuture<Void> released = new CompletableFuture<>();
            waiting.put(waitKey, released);
            LOG.debugf("session %s: taking over from node %s (epoch %d)", key, previous.nodeId(), claim.epoch());
            bus.send(previous.nodeId(), ClusterFrame.encode(
                    new ClusterFrame.Takeover(key.tenant(), key.clientId(), claim.epoch(), nodeId)))
                    .whenComplete((receivers, error) -> {
                        if (error != null || receivers == 0) {
                            released.complete(null); // that node is gone: nothing to wait for
                        }
                    });
            return released.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((v, e) -> waiting.remove(waitKey));
        });
    }

    /** Another node takes one of ours: let it go, then tell that node. */
    void onTakeover(ClusterFrame.Takeover t) {
        SessionKey key = new SessionKey(t.tenant(), t.clientId());
        Session session = broker.sessions().get(key);
        ClusterFrame.Released answer = new ClusterFrame.Released(t.tenant(), t.clientId(), t.epoch());
        if (session == null) {
            reply(t.requester(), answer);
            return;
        }
        Object owner = session.owner();
        if (owner instanceof SessionOwner connection) {
            Future<Void> done = connection.takeOver();
            done.addListener(f -> {
                broker.forgetSession(session, owner);
                reply(t.requester(), answer);
            });
        } else {
            broker.forgetSession(session, owner);
            reply(t.requester(), answer);
        }
    }

    void onReleased(ClusterFrame.Released r) {
        CompletableFuture<Void> w = waiting.get(r.tenant().value() + '\0' + r.clientId() + '\0' + r.epoch());
        if (w != null) {
            w.complete(null);
        }
    }

    private void reply(String node, ClusterFrame.Released answer) {
        bus.send(node, ClusterFrame.encode(answer)).whenComplete((n, e) -> {
            if (e != null) {
                LOG.debugf("could not tell node %s that session %s is released: %s", node, answer.clientId(),
                        e.getMessage());
            }
        });
    }
}
