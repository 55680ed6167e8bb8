package dev.stratus.state;

import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredSession;
import dev.stratus.state.model.StoredSubscription;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.newSession;
import static dev.stratus.state.ContractSupport.newTenant;
import static dev.stratus.state.ContractSupport.runConcurrently;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The behaviour every {@link SessionStore} backend must have. Extend it once per backend. */
public abstract class SessionStoreContract {

    protected SessionStore store;
    protected TenantId tenant;
    protected SessionKey key;

    /** A store for one test. It may share its backend with other tests: every test uses fresh tenants. */
    protected abstract SessionStore createStore();

    @BeforeEach
    void setUpStore() {
        store = createStore();
        tenant = newTenant();
        key = newSession(tenant);
    }

    @Test
    void findReturnsEmptyForUnknownSession() {
        assertThat(join(store.find(key))).isEmpty();
    }

    @Test
    void upsertCreatesSession() {
        join(store.upsert(key, 3600, 0));

        StoredSession session = join(store.find(key)).orElseThrow();
        assertThat(session.key()).isEqualTo(key);
        assertThat(session.expiryIntervalSeconds()).isEqualTo(3600);
        assertThat(session.disconnectedAtMillis()).isZero();
        assertThat(session.subscriptions()).isEmpty();
    }

    @Test
    void upsertUpdatesExpiryAndDisconnectTime() {
        join(store.upsert(key, 60, 0));
        join(store.upsert(key, StoredSession.NEVER_EXPIRES, 1_700_000_000_000L));

        StoredSession session = join(store.find(key)).orElseThrow();
        assertThat(session.expiryIntervalSeconds()).isEqualTo(StoredSession.NEVER_EXPIRES);
        assertThat(session.disconnectedAtMillis()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void upsertKeepsSubscriptions() {
        join(store.upsert(key, 60, 0));
        join(store.putSubscription(key, StoredSubscription.of("a/+", 1)));

        join(store.upsert(key, 120, 1_700_000_000_000L));

        assertThat(join(store.find(key)).orElseThrow().subscriptions()).containsOnlyKeys("a/+");
    }

    @Test
    void putSubscriptionCreatesSessionIfAbsent() {
        join(store.putSubscription(key, StoredSubscription.of("a/#", 2)));

        StoredSession session = join(store.find(key)).orElseThrow();
        assertThat(session.subscriptions()).containsEntry("a/#", StoredSubscription.of("a/#", 2));
    }

    @Test
    void putSubscriptionReplacesSubscriptionWithSameFilter() {
        join(store.putSubscription(key, StoredSubscription.of("a/b", 0)));
        join(store.putSubscription(key, StoredSubscription.of("c", 0)));
        join(store.putSubscription(key, StoredSubscription.of("a/b", 2)));

        assertThat(join(store.find(key)).orElseThrow().subscriptions())
                .isEqualTo(Map.of("a/b", StoredSubscription.of("a/b", 2), "c", StoredSubscription.of("c", 0)));
    }

    @Test
    void subscriptionKeepsAllOptions() {
        StoredSubscription subscription = new StoredSubscription("$share/g/a/+/#", 2, true, true, 2, 268_435_455);
        join(store.putSubscription(key, subscription));

        assertThat(join(store.find(key)).orElseThrow().subscriptions().get("$share/g/a/+/#")).isEqualTo(subscription);
    }

    @Test
    void removeSubscriptionReportsWhetherItExisted() {
        join(store.putSubscription(key, StoredSubscription.of("a", 1)));
        join(store.putSubscription(key, StoredSubscription.of("b", 1)));

        assertThat(join(store.removeSubscription(key, "a"))).isTrue();
        assertThat(join(store.removeSubscription(key, "a"))).isFalse();
        assertThat(join(store.find(key)).orElseThrow().subscriptions()).containsOnlyKeys("b");
    }

    @Test
    void removeSubscriptionOfUnknownSessionReturnsFalse() {
        assertThat(join(store.removeSubscription(key, "a"))).isFalse();
        assertThat(join(store.find(key))).isEmpty();
    }

    @Test
    void removingLastSubscriptionKeepsSession() {
        join(store.upsert(key, 60, 0));
        join(store.putSubscription(key, StoredSubscription.of("a", 1)));

        join(store.removeSubscription(key, "a"));

        StoredSession session = join(store.find(key)).orElseThrow();
        assertThat(session.subscriptions()).isEmpty();
        assertThat(session.expiryIntervalSeconds()).isEqualTo(60);
    }

    @Test
    void deleteReportsWhetherSessionExisted() {
        join(store.upsert(key, 60, 0));

        assertThat(join(store.delete(key))).isTrue();
        assertThat(join(store.delete(key))).isFalse();
        assertThat(join(store.find(key))).isEmpty();
    }

    @Test
    void deleteRemovesSubscriptions() {
        join(store.upsert(key, 60, 0));
        join(store.putSubscription(key, StoredSubscription.of("a", 1)));

        join(store.delete(key));
        join(store.upsert(key, 60, 0));

        assertThat(join(store.find(key)).orElseThrow().subscriptions()).isEmpty();
    }

    @Test
    void foundSessionIsASnapshot() {
        join(store.putSubscription(key, StoredSubscription.of("a", 1)));
        StoredSession before = join(store.find(key)).orElseThrow();

        join(store.putSubscription(key, StoredSubscription.of("b", 1)));

        assertThat(before.subscriptions()).containsOnlyKeys("a");
        assertThatThrownBy(() -> before.subscriptions().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(join(store.find(key)).orElseThrow().subscriptions()).containsOnlyKeys("a", "b");
    }

    @Test
    void countCountsSessionsOfTheTenant() {
        assertThat(join(store.count(tenant))).isZero();
        join(store.upsert(newSession(tenant), 0, 0));
        join(store.upsert(newSession(tenant), 0, 0));
        join(store.putSubscription(key, StoredSubscription.of("a", 0)));
        join(store.upsert(key, 10, 0));

        assertThat(join(store.count(tenant))).isEqualTo(3);

        join(store.delete(key));
        assertThat(join(store.count(tenant))).isEqualTo(2);
    }

    @Test
    void tenantsAreIsolated() {
        TenantId other = newTenant();
        SessionKey sameClientOtherTenant = new SessionKey(other, key.clientId());
        join(store.upsert(key, 60, 0));
        join(store.putSubscription(key, StoredSubscription.of("a", 1)));

        assertThat(join(store.find(sameClientOtherTenant))).isEmpty();
        assertThat(join(store.count(other))).isZero();
        assertThat(join(store.removeSubscription(sameClientOtherTenant, "a"))).isFalse();
        assertThat(join(store.delete(sameClientOtherTenant))).isFalse();

        join(store.putSubscription(sameClientOtherTenant, StoredSubscription.of("b", 0)));
        assertThat(join(store.find(key)).orElseThrow().subscriptions()).containsOnlyKeys("a");
        assertThat(join(store.find(sameClientOtherTenant)).orElseThrow().subscriptions()).containsOnlyKeys("b");
    }

    @Test
    void concurrentSubscribesAreAllKept() {
        int threads = 8;
        int perThread = 50;
        join(store.upsert(key, 60, 0));

        runConcurrently(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                join(store.putSubscription(key, StoredSubscription.of("t" + t + "/" + i, 1)));
                join(store.upsert(key, 60, 0));
            }
        });

        assertThat(join(store.find(key)).orElseThrow().subscriptions()).hasSize(threads * perThread);
    }

    @Test
    void listExpiredReturnsExpiredSessionsEarliestFirst() {
        SessionKey early = newSession(tenant);
        SessionKey late = newSession(tenant);
        SessionKey notYet = newSession(tenant);
        SessionKey connected = newSession(tenant);
        SessionKey forever = newSession(tenant);
        join(store.upsert(late, 10, 1_000));            // expires at 11_000
        join(store.upsert(early, 1, 2_000));            // expires at 3_000
        join(store.upsert(notYet, 3600, 1_000));        // expires at 3_601_000
        join(store.upsert(connected, 10, 0));
        join(store.upsert(forever, StoredSession.NEVER_EXPIRES, 1_000));

        assertThat(join(store.listExpired(tenant, 20_000, 100))).containsExactly(early, late);
        assertThat(join(store.listExpired(tenant, 20_000, 1))).containsExactly(early);
        assertThat(join(store.listExpired(tenant, 11_000, 100))).containsExactly(early, late);
        assertThat(join(store.listExpired(tenant, 10_999, 100))).containsExactly(early);
        assertThat(join(store.listExpired(tenant, 2_999, 100))).isEmpty();
    }

    @Test
    void reconnectedOrDeletedSessionIsNoLongerExpired() {
        SessionKey other = newSession(tenant);
        join(store.upsert(key, 10, 1_000));
        join(store.upsert(other, 10, 1_000));

        join(store.upsert(key, 10, 0));
        join(store.delete(other));

        assertThat(join(store.listExpired(tenant, 20_000, 100))).isEmpty();
    }

    @Test
    void sessionCreatedBySubscribingIsNotExpired() {
        join(store.putSubscription(key, StoredSubscription.of("a", 1)));

        assertThat(join(store.listExpired(tenant, Long.MAX_VALUE / 2, 100))).isEmpty();
    }

    @Test
    void listExpiredStaysInTheTenant() {
        join(store.upsert(key, 10, 1_000));

        assertThat(join(store.listExpired(newTenant(), 20_000, 100))).isEmpty();
        assertThat(join(store.listExpired(tenant, 20_000, 100))).isEqualTo(List.of(key));
    }
}
