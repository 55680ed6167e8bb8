package dev.stratus.ingress.cluster;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.state.NodeWills;
import dev.stratus.state.SessionOwnership;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.redis.ValueCodec;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The wills of this node's connections, registered in Redis ({@link NodeWills}), and the publishing of a dead
 * node's wills by the survivor that cleans up after it: each after its Will Delay Interval, and only if the session
 * is still owned by the dead node then (a client that reconnected elsewhere meanwhile resumed its session, and its
 * will is not published [MQTT5-3.1.3-9]).
 */
final class DeadNodeWills {

    private static final Logger LOG = Logger.getLogger(DeadNodeWills.class);

    private final Broker broker;
    private final NodeWills wills;
    private final SessionOwnership ownership;
    private final Vertx vertx;
    private final String nodeId;

    DeadNodeWills(Broker broker, NodeWills wills, SessionOwnership ownership, Vertx vertx, String nodeId) {
        this.broker = broker;
        this.wills = wills;
        this.ownership = ownership;
        this.vertx = vertx;
        this.nodeId = nodeId;
    }

    void register(SessionKey key, StoredMessage will, long delaySeconds, long expirySeconds) {
        wills.put(nodeId, key, encode(will, delaySeconds, expirySeconds)).whenComplete((v, e) -> {
            if (e != null) {
                LOG.debugf("will of %s not registered: %s", key, e.getMessage());
            }
        });
    }

    void clear(SessionKey key) {
        wills.remove(nodeId, key);
    }

    /** Publishes the wills of a dead node (this node claimed its cleanup), then forgets them. */
    CompletionStage<Void> publishWillsOf(String deadNode) {
        return wills.list(deadNode).thenCompose(all -> {
            for (Map.Entry<SessionKey, byte[]> e : all.entrySet()) {
                Registered w = decode(e.getValue());
                long delayMillis = Math.max(0, w.delaySeconds() * 1000);
                if (delayMillis == 0) {
                    publishIfStillOwned(deadNode, e.getKey(), w);
                } else {
                    vertx.setTimer(delayMillis, id -> publishIfStillOwned(deadNode, e.getKey(), w));
                }
            }
            return wills.clear(deadNode);
        });
    }

    private void publishIfStillOwned(String deadNode, SessionKey key, Registered w) {
        ownership.owner(key).thenAccept(owner -> {
            if (owner.isPresent() && !owner.get().nodeId().equals(deadNode)) {
                LOG.debugf("will of %s not published: the session was resumed on node %s", key, owner.get().nodeId());
                return;
            }
            LOG.infof("node %s: publishing the will of %s, whose node %s died", nodeId, key, deadNode);
            StoredMessage m = w.message();
            if (w.expirySeconds() >= 0) {
                m = new StoredMessage(m.topic(), m.payload(), m.qos(), m.retain(),
                        broker.now() + w.expirySeconds() * 1000, m.properties());
            }
            broker.publish(m);
        });
    }

    private record Registered(StoredMessage message, long delaySeconds, long expirySeconds) {
    }

    private static byte[] encode(StoredMessage will, long delaySeconds, long expirySeconds) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(delaySeconds);
            out.writeLong(expirySeconds);
            out.write(ValueCodec.encode(will));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Registered decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            long delay = in.readLong();
            long expiry = in.readLong();
            return new Registered(ValueCodec.decodeMessage(in.readAllBytes()), delay, expiry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
