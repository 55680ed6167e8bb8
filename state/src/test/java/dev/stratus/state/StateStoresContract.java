package dev.stratus.state;

import dev.stratus.state.model.InflightMessage;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredSubscription;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.message;
import static dev.stratus.state.ContractSupport.newSession;
import static dev.stratus.state.ContractSupport.newTenant;
import static dev.stratus.state.ContractSupport.payloads;
import static dev.stratus.state.ContractSupport.retained;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations of {@link StateStores} that span stores: deleting everything a session owns, and closing.
 * Extend it once per backend.
 */
public abstract class StateStoresContract {

    protected StateStores stores;
    protected TenantId tenant;
    protected SessionKey key;

    /** Fresh stores for one test, closed after it. They may share a backend: every test uses fresh tenants. */
    protected abstract StateStores createStores();

    @BeforeEach
    void setUpStores() {
        stores = createStores();
        tenant = newTenant();
        key = newSession(tenant);
    }

    @AfterEach
    void closeStores() {
        stores.close();
    }

    private void fill(SessionKey session, long expiry, long disconnectedAt) {
        join(stores.sessions().upsert(session, expiry, disconnectedAt));
        join(stores.sessions().putSubscription(session, StoredSubscription.of("a/#", 1)));
        join(stores.queues().enqueue(session, message("a/b", "queued"), 10));
        join(stores.inflight().put(session, new InflightMessage(7, message("a/b", "inflight"), false)));
        join(stores.inflight().markReceived(session, 9));
    }

    private void assertOwnsNothing(SessionKey session) {
        assertThat(join(stores.sessions().find(session))).isEmpty();
        assertThat(join(stores.queues().size(session))).isZero();
        assertThat(join(stores.inflight().list(session))).isEmpty();
        assertThat(join(stores.inflight().received(session))).isEmpty();
    }

    @Test
    void deleteSessionRemovesEverythingItOwns() {
        fill(key, 60, 0);

        assertThat(join(stores.deleteSession(key))).isTrue();

        assertOwnsNothing(key);
        assertThat(join(stores.sessions().count(tenant))).isZero();
        assertThat(join(stores.deleteSession(key))).isFalse();
    }

    @Test
    void deletedSessionStartsAfresh() {
        fill(key, 60, 0);
        join(stores.deleteSession(key));

        join(stores.sessions().upsert(key, 60, 0));

        assertThat(join(stores.sessions().find(key)).orElseThrow().subscriptions()).isEmpty();
        assertThat(join(stores.queues().enqueue(key, message("a", "new"), 10)).size()).isEqualTo(1);
    }

    @Test
    void deleteSessionLeavesOtherSessionsAndRetainedMessagesAlone() {
        SessionKey other = newSession(tenant);
        SessionKey sameClientOtherTenant = new SessionKey(newTenant(), key.clientId());
        fill(key, 60, 0);
        fill(other, 60, 0);
        fill(sameClientOtherTenant, 60, 0);
        join(stores.retained().put(tenant, retained("a/b", "kept")));

        join(stores.deleteSession(key));

        for (SessionKey kept : new SessionKey[] {other, sameClientOtherTenant}) {
            assertThat(join(stores.sessions().find(kept))).isPresent();
            assertThat(payloads(join(stores.queues().poll(kept, 10)))).containsExactly("queued");
            assertThat(join(stores.inflight().list(kept))).hasSize(1);
            assertThat(join(stores.inflight().received(kept))).containsExactly(9);
        }
        assertThat(join(stores.retained().get(tenant, "a/b"))).isPresent();
    }

    @Test
    void deleteSessionOfUnknownSessionReturnsFalse() {
        assertThat(join(stores.deleteSession(key))).isFalse();
    }

    @Test
    void deleteSessionIfExpiredDeletesOnlyExpiredSessions() {
        SessionKey connected = newSession(tenant);
        SessionKey notYet = newSession(tenant);
        fill(key, 10, 1_000);
        fill(connected, 10, 0);
        fill(notYet, 10, 15_000);

        assertThat(join(stores.deleteSessionIfExpired(key, 20_000))).isTrue();
        assertThat(join(stores.deleteSessionIfExpired(connected, 20_000))).isFalse();
        assertThat(join(stores.deleteSessionIfExpired(notYet, 20_000))).isFalse();
        assertThat(join(stores.deleteSessionIfExpired(newSession(tenant), 20_000))).isFalse();

        assertOwnsNothing(key);
        assertThat(join(stores.queues().size(connected))).isEqualTo(1);
        assertThat(join(stores.queues().size(notYet))).isEqualTo(1);
        assertThat(join(stores.sessions().count(tenant))).isEqualTo(2);
    }

    @Test
    void expiredSessionsCanBeListedAndCleanedUp() {
        SessionKey other = newSession(tenant);
        fill(key, 10, 1_000);
        fill(other, 10, 2_000);

        for (SessionKey expired : join(stores.sessions().listExpired(tenant, 20_000, 100))) {
            assertThat(join(stores.deleteSessionIfExpired(expired, 20_000))).isTrue();
        }

        assertThat(join(stores.sessions().listExpired(tenant, 20_000, 100))).isEmpty();
        assertOwnsNothing(key);
        assertOwnsNothing(other);
    }

    @Test
    void resumedSessionIsNotDeletedAsExpired() {
        fill(key, 10, 1_000);
        // listed as expired, then its client comes back before the cleanup runs
        assertThat(join(stores.sessions().listExpired(tenant, 20_000, 100))).containsExactly(key);
        join(stores.sessions().upsert(key, 10, 0));

        assertThat(join(stores.deleteSessionIfExpired(key, 20_000))).isFalse();
        assertThat(join(stores.queues().size(key))).isEqualTo(1);
    }

    @Test
    void closeIsIdempotent() {
        stores.close();
        stores.close();
    }

    @org.junit.jupiter.api.Test
    void aWriteAheadQueueEntryMovesToInflightAndLeavesTheQueue() {
        var first = join(stores.queues().append(key, message("wal/t", "one"), 100));
        var second = join(stores.queues().append(key, message("wal/t", "two"), 100));
        assertThat(second.sequence()).isGreaterThan(first.sequence());
        // sent out of queue order (two publishers' messages may take their sequence numbers the other way round)
        join(stores.moveToInflight(key, new InflightMessage(3, message("wal/t", "two"), false), second.sequence()));
        assertThat(join(stores.queues().peek(key, 10))).extracting(q -> q.sequence())
                .containsExactly(first.sequence());
        assertThat(join(stores.inflight().list(key))).extracting(InflightMessage::packetId).containsExactly(3);
        assertThat(join(stores.queues().remove(key, first.sequence()))).isTrue();
        assertThat(join(stores.queues().remove(key, first.sequence()))).isFalse();
        assertThat(join(stores.queues().size(key))).isZero();
    }
}
