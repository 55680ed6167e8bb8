package dev.stratus.state;

import dev.stratus.state.model.InflightMessage;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static dev.stratus.state.ContractSupport.fullMessage;
import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.message;
import static dev.stratus.state.ContractSupport.newSession;
import static dev.stratus.state.ContractSupport.newTenant;
import static dev.stratus.state.ContractSupport.runConcurrently;
import static org.assertj.core.api.Assertions.assertThat;

/** The behaviour every {@link InflightStore} backend must have. Extend it once per backend. */
public abstract class InflightStoreContract {

    protected InflightStore store;
    protected TenantId tenant;
    protected SessionKey key;

    /** A store for one test. It may share its backend with other tests: every test uses fresh tenants. */
    protected abstract InflightStore createStore();

    @BeforeEach
    void setUpStore() {
        store = createStore();
        tenant = newTenant();
        key = newSession(tenant);
    }

    private static InflightMessage inflight(int packetId) {
        return new InflightMessage(packetId, message("t", "p" + packetId), false);
    }

    private List<Integer> listedIds() {
        return join(store.list(key)).stream().map(InflightMessage::packetId).toList();
    }

    @Test
    void putsAndRemovesIssuedWithoutWaitingApplyInOrder() {
        // a connection puts a message inflight when it sends it and removes it on PUBACK, without waiting for
        // the store in between: a remove must never overtake its put, or the message would come back on resume
        java.util.List<java.util.concurrent.CompletableFuture<?>> all = new java.util.ArrayList<>();
        for (int id = 1; id <= 300; id++) {
            all.add(store.put(key, inflight(id)).toCompletableFuture());
            all.add(store.remove(key, id).toCompletableFuture());
        }
        all.add(store.put(key, inflight(7)).toCompletableFuture());
        java.util.concurrent.CompletableFuture.allOf(all.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
        assertThat(join(store.list(key))).extracting(InflightMessage::packetId).containsExactly(7);
    }

    @Test
    void unknownSessionHasNothingInflight() {
        assertThat(join(store.list(key))).isEmpty();
        assertThat(join(store.received(key))).isEmpty();
        assertThat(join(store.remove(key, 1))).isFalse();
        assertThat(join(store.release(key, 1))).isFalse();
    }

    @Test
    void listKeepsFirstPutOrder() {
        for (int id : new int[] {7, 3, 65535, 1, 42}) {
            join(store.put(key, inflight(id)));
        }

        assertThat(listedIds()).containsExactly(7, 3, 65535, 1, 42);
    }

    @Test
    void inflightKeepsFirstPutOrderOnReplace() {
        join(store.put(key, inflight(5)));
        join(store.put(key, inflight(6)));
        join(store.put(key, inflight(7)));

        // PUBREC for 6 arrived: the message is replaced by its released form in place
        InflightMessage released = new InflightMessage(6, message("t", "p6"), true);
        join(store.put(key, released));

        List<InflightMessage> listed = join(store.list(key));
        assertThat(listed).extracting(InflightMessage::packetId).containsExactly(5, 6, 7);
        assertThat(listed).extracting(InflightMessage::released).containsExactly(false, true, false);
    }

    @Test
    void reusedPacketIdGoesToTheEnd() {
        join(store.put(key, inflight(1)));
        join(store.put(key, inflight(2)));
        join(store.remove(key, 1));

        join(store.put(key, inflight(1)));

        assertThat(listedIds()).containsExactly(2, 1);
    }

    @Test
    void removeReportsWhetherMessageWasInflight() {
        join(store.put(key, inflight(1)));
        join(store.put(key, inflight(2)));

        assertThat(join(store.remove(key, 1))).isTrue();
        assertThat(join(store.remove(key, 1))).isFalse();
        assertThat(join(store.remove(key, 3))).isFalse();
        assertThat(listedIds()).containsExactly(2);
    }

    @Test
    void inflightMessageKeepsAllFields() {
        InflightMessage message = new InflightMessage(65535, fullMessage("a/b"), true);
        join(store.put(key, message));

        assertThat(join(store.list(key))).singleElement().usingRecursiveComparison().isEqualTo(message);
    }

    @Test
    void receivedQos2IdsAreTrackedUntilReleased() {
        assertThat(join(store.markReceived(key, 10))).isTrue();
        assertThat(join(store.markReceived(key, 11))).isTrue();
        assertThat(join(store.received(key))).containsExactlyInAnyOrder(10, 11);

        assertThat(join(store.release(key, 10))).isTrue();

        assertThat(join(store.received(key))).containsExactly(11);
        assertThat(join(store.release(key, 10))).isFalse();
    }

    @Test
    void receivedQos2IdsKeepTheirDeliveryIdsUntilReleased() {
        assertThat(join(store.markReceived(key, 10, "node-a:1"))).isTrue();
        assertThat(join(store.markReceived(key, 11))).isTrue();
        assertThat(join(store.markReceived(key, 12, "node-a:2"))).isTrue();

        assertThat(join(store.received(key))).containsExactlyInAnyOrder(10, 11, 12);
        assertThat(join(store.receivedDeliveryIds(key))).containsOnly(
                java.util.Map.entry(10, "node-a:1"), java.util.Map.entry(12, "node-a:2"));

        join(store.release(key, 10));
        assertThat(join(store.receivedDeliveryIds(key))).containsOnly(java.util.Map.entry(12, "node-a:2"));
        join(store.clear(key));
        assertThat(join(store.receivedDeliveryIds(key))).isEmpty();
    }

    @Test
    void markReceivedReportsDuplicates() {
        assertThat(join(store.markReceived(key, 10))).isTrue();
        assertThat(join(store.markReceived(key, 10))).isFalse();
        assertThat(join(store.received(key))).containsExactly(10);
    }

    @Test
    void outboundAndReceivedIdsAreIndependent() {
        join(store.put(key, inflight(9)));
        join(store.markReceived(key, 9));

        assertThat(join(store.remove(key, 9))).isTrue();
        assertThat(join(store.received(key))).containsExactly(9);

        join(store.put(key, inflight(9)));
        assertThat(join(store.release(key, 9))).isTrue();
        assertThat(listedIds()).containsExactly(9);
    }

    @Test
    void clearRemovesOutboundAndReceived() {
        join(store.put(key, inflight(1)));
        join(store.markReceived(key, 2));

        join(store.clear(key));

        assertThat(join(store.list(key))).isEmpty();
        assertThat(join(store.received(key))).isEmpty();
    }

    @Test
    void listedMessagesAreASnapshot() {
        join(store.put(key, inflight(1)));
        List<InflightMessage> listed = join(store.list(key));
        Set<Integer> received = join(store.received(key));

        join(store.put(key, inflight(2)));
        join(store.markReceived(key, 3));
        try {
            listed.clear();
            received.add(4);
        } catch (UnsupportedOperationException expected) {
            // an immutable collection is fine too
        }

        assertThat(listedIds()).containsExactly(1, 2);
        assertThat(join(store.received(key))).containsExactly(3);
    }

    @Test
    void tenantsAreIsolated() {
        SessionKey sameClientOtherTenant = new SessionKey(newTenant(), key.clientId());
        join(store.put(key, inflight(1)));
        join(store.markReceived(key, 2));

        assertThat(join(store.list(sameClientOtherTenant))).isEmpty();
        assertThat(join(store.received(sameClientOtherTenant))).isEmpty();
        assertThat(join(store.markReceived(sameClientOtherTenant, 2))).isTrue();
        join(store.clear(sameClientOtherTenant));

        assertThat(listedIds()).containsExactly(1);
        assertThat(join(store.received(key))).containsExactly(2);
    }

    @Test
    void sessionsAreIsolated() {
        SessionKey other = newSession(tenant);
        join(store.put(key, inflight(1)));
        join(store.put(other, inflight(2)));

        assertThat(join(store.remove(other, 1))).isFalse();
        assertThat(listedIds()).containsExactly(1);
    }

    @Test
    void concurrentPutsAndReceiptsAreAllKept() {
        int threads = 8;
        int perThread = 100;

        runConcurrently(threads, t -> {
            for (int i = 1; i <= perThread; i++) {
                int id = t * perThread + i;
                join(store.put(key, inflight(id)));
                join(store.markReceived(key, id));
            }
        });

        List<Integer> ids = listedIds();
        assertThat(ids).containsExactlyInAnyOrderElementsOf(
                IntStream.rangeClosed(1, threads * perThread).boxed().toList());
        assertThat(join(store.received(key))).hasSize(threads * perThread);
        // each thread's ids were first put in increasing order, so they are listed in that order
        for (int t = 0; t < threads; t++) {
            int low = t * perThread;
            assertThat(ids.stream().filter(id -> id > low && id <= low + perThread).toList()).isSorted();
        }
    }
}
