package dev.stratus.ingress.cluster;

import dev.stratus.ingress.broker.Broker;
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
 * they would never expire: the survivor that cleans up after it marks each one it still owned disconnected now
 * (a clean one, expiry 0, ends at once [MQTT5-4.1.0-2]). And every node sweeps, every few seconds, the sessions
 * whose expiry has passed (the node that would have expired them may be dead); the store deletes a session only if
 * it is still expired at that moment, so a client that just came back keeps it.
 */
final class DeadNodeSessions implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeadNodeSessions.class);
    private static final long SWEEP_MILLIS = 2_000;
    private static final int SWEEP_BATCH = 100;

    private final Broker broker;
    private final SessionOwnership ownership;
    private final Vertx vertx;
    private long timer = -1;

    DeadNodeSessions(Broker broker, SessionOwnership ownership, Vertx vertx) {
        this.broker = broker;
        this.ownership = ownership;
        this.vertx = vertx;
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
                        return broker.stores().sessions().upsert(key, s.expiryIntervalSeconds(),
                                Math.max(1, broker.now()));
                    });
                }).toCompletableFuture());
            }
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .thenCompose(v -> ownership.forgetNode(deadNode));
        });
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
