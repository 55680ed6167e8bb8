package dev.stratus.state.redis;

import dev.stratus.state.StateStores;
import dev.stratus.state.model.InflightMessage;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredSubscription;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.message;
import static dev.stratus.state.ContractSupport.payloads;
import static org.assertj.core.api.Assertions.assertThat;

/** Client ids and tenants with the characters the key layout escapes keep their sessions apart. */
class RedisTrickyIdsIT {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void sessionsWhoseKeysWouldCollideUnescapedStayApart() {
        StateStores stores = REDIS.newStores();
        String suffix = Long.toString(System.nanoTime());
        SessionKey a = new SessionKey(new TenantId("x" + suffix + ":s:b"), "c}{%");
        SessionKey b = new SessionKey(new TenantId("x" + suffix), "b:s:c}{%");

        for (SessionKey key : new SessionKey[] {a, b}) {
            join(stores.sessions().putSubscription(key, StoredSubscription.of("f/" + key.clientId(), 1)));
            join(stores.sessions().upsert(key, 10, 1_000));
            join(stores.queues().enqueue(key, message("t", key.clientId()), 10));
            join(stores.inflight().put(key, new InflightMessage(1, message("t", key.clientId()), false)));
        }

        for (SessionKey key : new SessionKey[] {a, b}) {
            assertThat(join(stores.sessions().find(key)).orElseThrow().subscriptions())
                    .containsOnlyKeys("f/" + key.clientId());
            assertThat(join(stores.sessions().listExpired(key.tenant(), 20_000, 10))).containsExactly(key);
            assertThat(join(stores.inflight().list(key))).hasSize(1);
        }
        assertThat(join(stores.deleteSession(a))).isTrue();
        assertThat(payloads(join(stores.queues().poll(b, 10)))).containsExactly(b.clientId());
        assertThat(join(stores.queues().size(a))).isZero();
    }
}
