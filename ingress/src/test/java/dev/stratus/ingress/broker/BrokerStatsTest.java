package dev.stratus.ingress.broker;

import dev.stratus.ingress.auth.AuthResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerStatsTest {

    private final BrokerStats stats = new BrokerStats();

    @Test
    @DisplayName("closed connections are counted by reason, each reason on its own")
    void closedConnectionsAreCountedByReason() {
        stats.socketOpened();
        stats.socketOpened();
        stats.socketOpened();
        stats.socketClosed(CloseReason.KEEP_ALIVE_TIMEOUT);
        stats.socketClosed(CloseReason.KEEP_ALIVE_TIMEOUT);
        stats.socketClosed(CloseReason.TAKEN_OVER);

        assertThat(stats.connectionsOpened()).isEqualTo(3);
        assertThat(stats.connectionsClosed(CloseReason.KEEP_ALIVE_TIMEOUT)).isEqualTo(2);
        assertThat(stats.connectionsClosed(CloseReason.TAKEN_OVER)).isEqualTo(1);
        for (CloseReason other : CloseReason.values()) {
            if (other != CloseReason.KEEP_ALIVE_TIMEOUT && other != CloseReason.TAKEN_OVER) {
                assertThat(stats.connectionsClosed(other)).as(other.name()).isZero();
            }
        }
    }

    @Test
    @DisplayName("the connection count for the maximum goes up on CONNECT and down on close")
    void connectionCountFollowsOpenAndClose() {
        assertThat(stats.connectionOpened()).isEqualTo(1);
        assertThat(stats.connectionOpened()).isEqualTo(2);
        stats.connectionClosed();

        assertThat(stats.connections()).isEqualTo(1);
    }

    @Test
    @DisplayName("messages and payload bytes are counted per QoS in both directions; sent totals all QoS")
    void messagesAreCountedPerQos() {
        stats.messageReceived(0, 10);
        stats.messageReceived(1, 20);
        stats.messageReceived(1, 30);
        stats.messageReceived(2, 40);
        stats.messageSent(2, 5);
        stats.messageSent(0, 7);

        assertThat(stats.messagesReceived(0)).isEqualTo(1);
        assertThat(stats.messagesReceived(1)).isEqualTo(2);
        assertThat(stats.messagesReceived(2)).isEqualTo(1);
        assertThat(stats.bytesReceived()).isEqualTo(100);
        assertThat(stats.messagesSent(0)).isEqualTo(1);
        assertThat(stats.messagesSent(1)).isZero();
        assertThat(stats.messagesSent(2)).isEqualTo(1);
        assertThat(stats.messagesOut()).isEqualTo(2);
        assertThat(stats.bytesSent()).isEqualTo(12);
    }

    @Test
    @DisplayName("inflight and queued are levels: what is added and then removed leaves them where they were")
    void inflightAndQueuedAreLevels() {
        stats.inflight(1);
        stats.inflight(1);
        stats.inflight(-1);
        stats.queued(5);
        stats.queued(-2);

        assertThat(stats.inflight()).isEqualTo(1);
        assertThat(stats.queued()).isEqualTo(3);
    }

    @Test
    @DisplayName("authentication results and errors are counted apart")
    void authResultsAreCounted() {
        stats.authenticated(AuthResult.ACCEPTED);
        stats.authenticated(AuthResult.BAD_CREDENTIALS);
        stats.authenticated(AuthResult.BAD_CREDENTIALS);
        stats.authenticationError();

        assertThat(stats.authResults(AuthResult.ACCEPTED)).isEqualTo(1);
        assertThat(stats.authResults(AuthResult.BAD_CREDENTIALS)).isEqualTo(2);
        assertThat(stats.authResults(AuthResult.NOT_AUTHORIZED)).isZero();
        assertThat(stats.authenticationErrors()).isEqualTo(1);
    }

    @Test
    @DisplayName("dropped messages are counted by reason; a count of 0 changes nothing")
    void droppedAreCountedByReason() {
        stats.dropped(DropReason.QUEUE_FULL, 3);
        stats.dropped(DropReason.QUEUE_FULL, 0);
        stats.dropped(DropReason.NO_SUBSCRIBERS, 1);

        assertThat(stats.dropped(DropReason.QUEUE_FULL)).isEqualTo(3);
        assertThat(stats.dropped(DropReason.NO_SUBSCRIBERS)).isEqualTo(1);
        assertThat(stats.dropped(DropReason.EXPIRED)).isZero();
    }
}
