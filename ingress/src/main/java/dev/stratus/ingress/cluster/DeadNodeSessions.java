package dev.stratus.ingress.cluster;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.session.Session;
import dev.stratus.state.SessionOwnership;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredSession;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sessions in a cluster whose node is gone. A dead node's sessions were "connected" in the store when it died, so
 * they would never expire, and their subscriptions were in no live node's trie, so nothing would be queued for
 * them: the survivor that cleans up after it takes custody of each persistent session the dead node still owned
 * (claims it, marks it disconnected now, holds its subscriptions, so that the cluster routes its messages here and
 * they are queued in Redis) until its client comes back on some node, which takes it over from the custodian, or it
 * expires. A clean one (expiry 0) ends at once [MQTT5-4.1.0-2]. And every node sweeps, every few seconds, the
 * sessions whose expiry has passed; the store deletes a session only if it is still expired at that moment, so a
 * client that just came back keeps it.
 */
final class DeadNodeSessions implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeadNodeSessions.class);
    private static final long SWEEP_MILLIS = 2_000;
    private static final int SWEEP_BATCH = 100;

    private final Broker broker;
    private final SessionOwnership ownership;
    private final Vertx vertx;
    private final String nodeId;
    private long timer = -1;

    DeadNodeSessions(Broker broker, SessionOwnership ownership, Vertx vertx, String nodeId) {
        this.broker = broker;
        this.ownership = ownership;
        this.vertx = vertx;
        this.nodeId = nodeId;
    }

    void start() {
        timer = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
    }

    /** The sessions the dead node still owned are disconnected from now on. */
    CompletionStage<Void> disconnectSessionsOf(String deadNode) {
        return ownership.claimedBy(deadNode).thenCompose(keys -> {
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (SessionKey key : keys) {
                all.add(ownership.owner(key).thenCompose(owner -> {
                    if (owner.isEmpty() || !owner.get().nodeId().equals(deadNode)) {
                        return CompletableFuture.completedFuture(null); // resumed elsewhere meanwhile
                    }
                    return broker.stores().sessions().find(key).thenCompose(stored -> {
                        if (stored.isEmpty()) {
                            return CompletableFuture.completedFuture(null);
                        }
                        StoredSession s = stored.get();
                        if (s.expiryIntervalSeconds() == 0) {
                            return broker.stores().deleteSession(key).thenApply(v -> null);
                        }
                        return adopt(s);
                    });
                }).toCompletableFuture());
            }
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .thenCompose(v -> ownership.forgetNode(deadNode));
        });
    }

    /** Custody of a dead node's offline persistent session: claimed, disconnected now, its subscriptions held here. */
    private CompletionStage<Void> adopt(StoredSession s) {
        SessionKey key = s.key();
        Object custodian = new Custodian(key);
        long now = Math.max(1, broker.now());
        return ownership.claim(key, nodeId)
                .thenCompose(claim -> broker.stores().sessions().upsert(key, s.expiryIntervalSeconds(), now))
                .thenCompose(v -> broker.adoptSession(s, custodian))
                .thenRun(() -> {
                    LOG.infof("node %s: holding session %s of a dead node until its client returns", nodeId, key);
                    if (s.expiryIntervalSeconds() != StoredSession.NEVER_EXPIRES) {
                        vertx.setTimer(Math.max(1, s.expiryIntervalSeconds() * 1000), id -> {
                            Session session = broker.sessions().get(key);
                            if (session != null && session.isOwnedBy(custodian)) {
                                broker.forgetSession(session, custodian);
                                broker.stores().deleteSessionIfExpired(key, broker.now());
                            }
                        });
                    }
                });
    }

    /** The registry owner of an adopted session: no connection. */
    private record Custodian(SessionKey key) {
    }

    private void sweep() {
        long now = broker.now();
        broker.stores().sessions().listExpired(broker.tenant(), now, SWEEP_BATCH).thenAccept(keys -> {
            for (SessionKey key : keys) {
                broker.stores().deleteSessionIfExpired(key, now).thenAccept(deleted -> {
                    if (deleted) {
                        LOG.debugf("expired session %s removed from the store", key);
                    }
                });
            }
        }).exceptionally(e -> {
            LOG.debugf("session sweep failed: %s", e.getMessage());
            return null;
        });
    }

    @Override
    public void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
