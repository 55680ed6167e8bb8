package dev.stratus.ingress.protocol;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.broker.RoutedMessage;
import dev.stratus.ingress.session.Session;
import dev.stratus.state.model.StoredSession;
import io.netty.channel.EventLoop;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * What happens when a connection that claimed a session goes away: publish the will unless the client sent
 * DISCONNECT (after the MQTT 5 Will Delay Interval, unless the session is resumed first), hand undelivered
 * messages of a persistent session to its queue, and end the session: at once when its expiry is 0 (MQTT 3.1.1
 * CleanSession=1), after its Session Expiry Interval otherwise [MQTT5-3.1.2-23], never for 0xFFFFFFFF.
 */
final class ConnectionCleanup {

    private static final Logger LOG = Logger.getLogger(ConnectionCleanup.class);

    private final MqttConnection connection;

    ConnectionCleanup(MqttConnection connection) {
        this.connection = connection;
    }

    /** @return completes when what the session leaves behind is in the store (for a takeover to wait for) */
    CompletionStage<Void> run() {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        Broker broker = connection.broker();
        Session session = connection.session();
        Outbound outbound = connection.outbound();
        long expiry = session.expiryIntervalSeconds();

        if (connection.willRegistered()) {
            broker.cluster().clearWill(session.key()); // this node is alive: it handles the will itself
        }
        Will will = connection.will();
        if (will != null && !connection.cleanDisconnect() && !broker.isShuttingDown()) {
            // [MQTT-3.1.2-8] the connection ended without DISCONNECT: publish the will, at the lower of the will
            // delay and the session expiry [MQTT5-3.1.3-9]
            long delay = Math.min(will.delaySeconds(), expiry);
            if (delay == 0) {
                publishWill(will);
            } else {
                loop().schedule(() -> {
                    if (session.isOwnedBy(connection)) {
                        publishWill(will); // not resumed meanwhile
                    }
                }, delay, TimeUnit.SECONDS);
            }
        }

        if (outbound != null) {
            List<RoutedMessage> shared = new ArrayList<>();
            session.detach(outbound, () -> {
                writes.addAll(outbound.pendingMoves());
                for (RoutedMessage m : outbound.close()) {
                    if (m.group() != null) {
                        shared.add(m); // handed to another member below, outside this session's monitor
                    } else if (session.isPersistent() && m.ticket() == null) {
                        // under the session monitor: nothing can be queued behind these before they are queued
                        // (a write-ahead message, with a ticket, is in the queue already)
                        writes.add(broker.enqueueOffline(session, m.message()).toCompletableFuture());
                    } else if (m.ticket() != null) {
                        writes.add(m.ticket()); // its queue write is what the hand-over waits for
                    }
                }
            });
            for (RoutedMessage m : shared) {
                // section 4.8.2: a member that leaves passes what it did not get on to another member
                if (!broker.redeliverShared(m, session)) {
                    writes.add(keepOrDrop(broker, session, m).toCompletableFuture());
                }
            }
        }

        if (session.isPersistent()) {
            writes.add(broker.stores().sessions().upsert(session.key(), expiry, Math.max(1, broker.now()))
                    .toCompletableFuture());
            if (expiry != StoredSession.NEVER_EXPIRES) {
                loop().schedule(this::expire, expiry, TimeUnit.SECONDS);
            }
        } else {
            // [MQTT-3.1.2-6] a clean session ends with its connection
            broker.unsubscribeAll(session);
            if (broker.sessions().removeIfOwnedBy(session, connection) && connection.sessionStored()) {
                writes.add(broker.discardStoredSession(session.key()).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /** No other member to take a shared message: it waits in this session's queue, or is dropped with it. */
    private static CompletionStage<?> keepOrDrop(Broker broker, Session session, RoutedMessage m) {
        if (session.isPersistent() && m.message().qos() > 0) {
            return broker.enqueueOffline(session, m.message());
        }
        broker.stats().dropped(DropReason.OFFLINE_QOS0, 1);
        return CompletableFuture.completedFuture(null);
    }

    /** The Session Expiry Interval has passed: unless a new connection resumed it, the session ends. */
    private void expire() {
        Broker broker = connection.broker();
        Session session = connection.session();
        if (broker.sessions().removeIfOwnedBy(session, connection)) {
            LOG.debugf("session %s expired", session.key());
            broker.unsubscribeAll(session);
            broker.discardStoredSession(session.key());
        }
    }

    private void publishWill(Will will) {
        Broker broker = connection.broker();
        // as for PUBLISH, clients may not publish to $SYS, not even by a will
        String topic = will.message().topic();
        if (!topic.startsWith("$SYS")
                && broker.authorizer().canPublish(connection.clientId(), connection.username(), topic)) {
            broker.publish(will.toPublish(broker.now()));
        } else {
            LOG.infof("%s: will to '%s' not published: not authorized", connection, topic);
        }
    }

    private EventLoop loop() {
        return connection.channel().eventLoop();
    }
}
