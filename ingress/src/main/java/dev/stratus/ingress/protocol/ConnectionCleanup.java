package dev.stratus.ingress.protocol;

import dev.stratus.ingress.broker.Broker;
import dev.stratus.ingress.session.Session;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.StoredSession;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * What happens when a connection that claimed a session goes away: publish the will unless the client sent
 * DISCONNECT, hand undelivered messages of a persistent session to its queue, and end a clean session.
 */
final class ConnectionCleanup implements Runnable {

    private static final Logger LOG = Logger.getLogger(ConnectionCleanup.class);

    private final MqttConnection connection;

    ConnectionCleanup(MqttConnection connection) {
        this.connection = connection;
    }

    @Override
    public void run() {
        Broker broker = connection.broker();
        Session session = connection.session();
        Outbound outbound = connection.outbound();

        Will will = connection.will();
        if (will != null && !connection.cleanDisconnect() && !broker.isShuttingDown()) {
            // [MQTT-3.1.2-8] the connection ended without DISCONNECT: publish the will
            // as for PUBLISH, clients may not publish to $SYS, not even by a will
            String topic = will.message().topic();
            if (!topic.startsWith("$SYS")
                    && broker.authorizer().canPublish(connection.clientId(), connection.username(), topic)) {
                broker.publish(will.message());
            } else {
                LOG.infof("%s: will to '%s' not published: not authorized", connection, will.message().topic());
            }
        }

        if (outbound != null) {
            session.detach(outbound, () -> {
                List<StoredMessage> left = outbound.close();
                if (session.isPersistent()) {
                    // under the session monitor: nothing can be queued behind these before they are queued
                    for (StoredMessage m : left) {
                        broker.enqueueOffline(session, m);
                    }
                }
            });
        }

        if (session.isPersistent()) {
            broker.stores().sessions().upsert(session.key(), StoredSession.NEVER_EXPIRES, Math.max(1, broker.now()));
        } else {
            // [MQTT-3.1.2-6] a clean session ends with its connection
            broker.unsubscribeAll(session);
            broker.sessions().removeIfOwnedBy(session, connection);
        }
    }
}
