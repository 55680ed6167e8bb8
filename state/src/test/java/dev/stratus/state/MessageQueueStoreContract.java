package dev.stratus.state;

import dev.stratus.state.model.EnqueueResult;
import dev.stratus.state.model.QueuedMessage;
import dev.stratus.state.model.SessionKey;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stratus.state.ContractSupport.fullMessage;
import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.message;
import static dev.stratus.state.ContractSupport.newSession;
import static dev.stratus.state.ContractSupport.newTenant;
import static dev.stratus.state.ContractSupport.payloads;
import static dev.stratus.state.ContractSupport.runConcurrently;
import static org.assertj.core.api.Assertions.assertThat;

/** The behaviour every {@link MessageQueueStore} backend must have. Extend it once per backend. */
public abstract class MessageQueueStoreContract {

    private static final int BOUND = 1000;

    protected MessageQueueStore store;
    protected TenantId tenant;
    protected SessionKey key;

    /** A store for one test. It may share its backend with other tests: every test uses fresh tenants. */
    protected abstract MessageQueueStore createStore();

    @BeforeEach
    void setUpStore() {
        store = createStore();
        tenant = newTenant();
        key = newSession(tenant);
    }

    @Test
    void enqueuesIssuedWithoutWaitingKeepTheirOrder() {
        // a publisher's messages for one session are enqueued one after another without waiting for replies:
        // the queue must hold them in that order [MQTT-4.6.0-5]
        int n = 500;
        java.util.List<java.util.concurrent.CompletableFuture<?>> all = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(store.enqueue(key, message("ordered", Integer.toString(i)), n).toCompletableFuture());
        }
        java.util.concurrent.CompletableFuture.allOf(all.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
        java.util.List<String> got = join(store.poll(key, n)).stream()
                .map(m -> new String(m.payload(), java.nio.charset.StandardCharsets.UTF_8)).toList();
        java.util.List<String> expected = java.util.stream.IntStream.range(0, n).mapToObj(Integer::toString).toList();
        assertThat(got).containsExactlyElementsOf(expected);
    }

    @Test
    void unknownQueueIsEmpty() {
        assertThat(join(store.size(key))).isZero();
        assertThat(join(store.poll(key, 10))).isEmpty();
    }

    @Test
    void enqueueReportsSizeAndNoDrops() {
        assertThat(join(store.enqueue(key, message("a", "1"), BOUND))).isEqualTo(new EnqueueResult(1, 0));
        assertThat(join(store.enqueue(key, message("a", "2"), BOUND))).isEqualTo(new EnqueueResult(2, 0));
        assertThat(join(store.size(key))).isEqualTo(2);
    }

    @Test
    void pollReturnsOldestFirst() {
        for (int i = 1; i <= 5; i++) {
            join(store.enqueue(key, message("a", "m" + i), BOUND));
        }

        assertThat(payloads(join(store.poll(key, 10)))).containsExactly("m1", "m2", "m3", "m4", "m5");
        assertThat(join(store.size(key))).isZero();
    }

    @Test
    void pollReturnsAtMostMaxAndKeepsTheRest() {
        for (int i = 1; i <= 5; i++) {
            join(store.enqueue(key, message("a", "m" + i), BOUND));
        }

        assertThat(payloads(join(store.poll(key, 2)))).containsExactly("m1", "m2");
        assertThat(join(store.size(key))).isEqualTo(3);
        assertThat(payloads(join(store.poll(key, 2)))).containsExactly("m3", "m4");
        assertThat(payloads(join(store.poll(key, 2)))).containsExactly("m5");
        assertThat(join(store.poll(key, 2))).isEmpty();
    }

    @Test
    void enqueueDropsOldestBeyondBound() {
        List<EnqueueResult> results = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            results.add(join(store.enqueue(key, message("a", "m" + i), 3)));
        }

        assertThat(results).containsExactly(new EnqueueResult(1, 0), new EnqueueResult(2, 0),
                new EnqueueResult(3, 0), new EnqueueResult(3, 1), new EnqueueResult(3, 1));
        assertThat(payloads(join(store.poll(key, 10)))).containsExactly("m3", "m4", "m5");
    }

    @Test
    void enqueueWithSmallerBoundDropsSeveral() {
        for (int i = 1; i <= 5; i++) {
            join(store.enqueue(key, message("a", "m" + i), BOUND));
        }

        assertThat(join(store.enqueue(key, message("a", "m6"), 2))).isEqualTo(new EnqueueResult(2, 4));
        assertThat(payloads(join(store.poll(key, 10)))).containsExactly("m5", "m6");
    }

    @Test
    void queuedMessageKeepsAllFields() {
        StoredMessage message = fullMessage("a/b");
        join(store.enqueue(key, message, BOUND));

        assertThat(join(store.poll(key, 1))).singleElement().usingRecursiveComparison().isEqualTo(message);
    }

    @Test
    void emptyPayloadIsQueuedLikeAnyOther() {
        join(store.enqueue(key, message("a", ""), BOUND));

        assertThat(payloads(join(store.poll(key, 1)))).containsExactly("");
    }

    @Test
    void clearEmptiesTheQueue() {
        join(store.enqueue(key, message("a", "1"), BOUND));
        join(store.enqueue(key, message("a", "2"), BOUND));

        join(store.clear(key));

        assertThat(join(store.size(key))).isZero();
        assertThat(join(store.poll(key, 10))).isEmpty();
        assertThat(join(store.enqueue(key, message("a", "3"), BOUND))).isEqualTo(new EnqueueResult(1, 0));
    }

    @Test
    void sessionsHaveSeparateQueues() {
        SessionKey other = newSession(tenant);
        join(store.enqueue(key, message("a", "mine"), BOUND));
        join(store.enqueue(other, message("a", "theirs"), BOUND));

        assertThat(payloads(join(store.poll(key, 10)))).containsExactly("mine");
        join(store.clear(key));
        assertThat(payloads(join(store.poll(other, 10)))).containsExactly("theirs");
    }

    @Test
    void tenantsAreIsolated() {
        SessionKey sameClientOtherTenant = new SessionKey(newTenant(), key.clientId());
        join(store.enqueue(key, message("a", "mine"), BOUND));

        assertThat(join(store.size(sameClientOtherTenant))).isZero();
        assertThat(join(store.poll(sameClientOtherTenant, 10))).isEmpty();
        join(store.clear(sameClientOtherTenant));
        assertThat(payloads(join(store.poll(key, 10)))).containsExactly("mine");
    }

    @Test
    void polledListIsNotBackedByTheStore() {
        join(store.enqueue(key, message("a", "1"), BOUND));
        join(store.enqueue(key, message("a", "2"), BOUND));
        List<StoredMessage> polled = join(store.poll(key, 1));

        try {
            polled.clear();
        } catch (UnsupportedOperationException expected) {
            // an immutable list is fine too
        }

        assertThat(payloads(join(store.poll(key, 10)))).containsExactly("2");
    }

    @Test
    void concurrentEnqueueKeepsBound() {
        int threads = 8;
        int perThread = 200;
        int bound = 50;
        AtomicInteger dropped = new AtomicInteger();
        List<EnqueueResult> results = Collections.synchronizedList(new ArrayList<>());

        runConcurrently(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                EnqueueResult result = join(store.enqueue(key, message("a", t + ":" + i), bound));
                results.add(result);
                dropped.addAndGet(result.dropped());
            }
        });

        assertThat(results).allSatisfy(r -> assertThat(r.size()).isBetween(1, bound));
        assertThat(join(store.size(key))).isEqualTo(bound);
        assertThat(dropped.get()).isEqualTo(threads * perThread - bound);
        List<StoredMessage> kept = join(store.poll(key, bound * 2));
        assertThat(kept).hasSize(bound);
        // each producer's messages stay in the order it enqueued them
        for (int t = 0; t < threads; t++) {
            String prefix = t + ":";
            List<Integer> sequence = payloads(kept).stream().filter(p -> p.startsWith(prefix))
                    .map(p -> Integer.parseInt(p.substring(prefix.length()))).toList();
            assertThat(sequence).isSorted();
        }
    }

    @Test
    void concurrentPollsDeliverEachMessageOnce() {
        int messages = 400;
        for (int i = 0; i < messages; i++) {
            join(store.enqueue(key, message("a", Integer.toString(i)), BOUND));
        }
        List<String> polled = Collections.synchronizedList(new ArrayList<>());

        runConcurrently(4, t -> {
            List<StoredMessage> batch;
            while (!(batch = join(store.poll(key, 7))).isEmpty()) {
                polled.addAll(payloads(batch));
            }
        });

        assertThat(polled).hasSize(messages);
        assertThat(new HashSet<>(polled)).hasSize(messages);
        assertThat(join(store.size(key))).isZero();
    }

    private List<String> peekedPayloads(List<QueuedMessage> peeked) {
        return payloads(peeked.stream().map(QueuedMessage::message).toList());
    }

    @Test
    void peekReturnsOldestFirstWithoutRemoving() {
        for (int i = 1; i <= 3; i++) {
            join(store.enqueue(key, message("a", "m" + i), BOUND));
        }

        assertThat(peekedPayloads(join(store.peek(key, 2)))).containsExactly("m1", "m2");
        assertThat(peekedPayloads(join(store.peek(key, 10)))).containsExactly("m1", "m2", "m3");
        assertThat(join(store.size(key))).isEqualTo(3);
        assertThat(join(store.peek(key, 0))).isEmpty();
    }

    @Test
    void peekOfUnknownQueueIsEmptyAndAckRemovesNothing() {
        assertThat(join(store.peek(key, 10))).isEmpty();
        assertThat(join(store.ack(key, Long.MAX_VALUE))).isZero();
    }

    @Test
    void sequencesIncreaseInEnqueueOrder() {
        for (int i = 1; i <= 5; i++) {
            join(store.enqueue(key, message("a", "m" + i), BOUND));
        }

        List<Long> sequences = join(store.peek(key, 10)).stream().map(QueuedMessage::sequence).toList();
        assertThat(sequences).hasSize(5).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void ackRemovesUpToTheSequenceAndReportsHowMany() {
        for (int i = 1; i <= 5; i++) {
            join(store.enqueue(key, message("a", "m" + i), BOUND));
        }
        List<QueuedMessage> peeked = join(store.peek(key, 3));

        assertThat(join(store.ack(key, peeked.get(2).sequence()))).isEqualTo(3);

        assertThat(payloads(join(store.poll(key, 10)))).containsExactly("m4", "m5");
        assertThat(join(store.ack(key, peeked.get(2).sequence()))).isZero();
    }

    @Test
    void ackKeepsMessagesEnqueuedAfterThePeek() {
        join(store.enqueue(key, message("a", "m1"), BOUND));
        List<QueuedMessage> peeked = join(store.peek(key, 10));
        join(store.enqueue(key, message("a", "m2"), BOUND));

        join(store.ack(key, peeked.get(peeked.size() - 1).sequence()));

        assertThat(payloads(join(store.poll(key, 10)))).containsExactly("m2");
    }

    @Test
    void ackAfterDropsRemovesOnlyWhatWasPeeked() {
        for (int i = 1; i <= 3; i++) {
            join(store.enqueue(key, message("a", "m" + i), 3));
        }
        List<QueuedMessage> peeked = join(store.peek(key, 3));
        // two more arrive and push m1 and m2 out of the bounded queue
        join(store.enqueue(key, message("a", "m4"), 3));
        join(store.enqueue(key, message("a", "m5"), 3));

        assertThat(join(store.ack(key, peeked.get(2).sequence()))).isEqualTo(1);

        assertThat(payloads(join(store.poll(key, 10)))).containsExactly("m4", "m5");
    }

    @Test
    void sequencesAreNotReusedAfterTheQueueWasEmptied() {
        join(store.enqueue(key, message("a", "m1"), BOUND));
        long first = join(store.peek(key, 1)).get(0).sequence();
        join(store.poll(key, 10));
        join(store.enqueue(key, message("a", "m2"), BOUND));
        long second = join(store.peek(key, 1)).get(0).sequence();
        join(store.clear(key));
        join(store.enqueue(key, message("a", "m3"), BOUND));

        assertThat(second).isGreaterThan(first);
        assertThat(join(store.peek(key, 1)).get(0).sequence()).isGreaterThan(second);
    }

    @Test
    void appendOnceAppendsADeliveryIdOnlyOnce() {
        // a QoS 2 message handed to a session twice (first delivery, then a redelivery after a node died) is
        // queued once [MQTT-4.3.3-2]
        var first = join(store.appendOnce(key, message("a", "m1"), BOUND, "node-a:1", 1_000));
        var again = join(store.appendOnce(key, message("a", "m1"), BOUND, "node-a:1", 2_000));
        var other = join(store.appendOnce(key, message("a", "m2"), BOUND, "node-a:2", 2_000));

        assertThat(first.duplicate()).isFalse();
        assertThat(again.duplicate()).isTrue();
        assertThat(other.duplicate()).isFalse();
        assertThat(other.sequence()).isGreaterThan(first.sequence());
        assertThat(peekedPayloads(join(store.peek(key, 10)))).containsExactly("m1", "m2");
    }

    @Test
    void appendOnceRemembersTheIdAfterTheMessageLeftTheQueue() {
        var first = join(store.appendOnce(key, message("a", "m1"), BOUND, "node-a:1", 1_000));
        join(store.remove(key, first.sequence())); // sent and moved on

        assertThat(join(store.appendOnce(key, message("a", "m1"), BOUND, "node-a:1", 5_000)).duplicate()).isTrue();
        assertThat(join(store.peek(key, 10))).isEmpty();
    }

    @Test
    void appendOnceForgetsIdsOlderThanTheWindowAndOnClear() {
        join(store.appendOnce(key, message("a", "m1"), BOUND, "id-1", 1_000));
        join(store.appendOnce(key, message("a", "m2"), BOUND, "id-2", 1_000));
        long later = 1_000 + MessageQueueStore.DELIVERY_ID_WINDOW_MILLIS + 1;
        // appending ages the ids: id-1 is out of the window now
        join(store.appendOnce(key, message("a", "m3"), BOUND, "id-3", later));
        assertThat(join(store.appendOnce(key, message("a", "m1"), BOUND, "id-1", later)).duplicate()).isFalse();

        join(store.clear(key));
        assertThat(join(store.appendOnce(key, message("a", "m3"), BOUND, "id-3", later)).duplicate()).isFalse();
    }

    @Test
    void appendOnceIdsAreKeptPerSession() {
        SessionKey other = newSession(tenant);
        join(store.appendOnce(key, message("a", "m1"), BOUND, "node-a:1", 1_000));

        assertThat(join(store.appendOnce(other, message("a", "m1"), BOUND, "node-a:1", 1_000)).duplicate()).isFalse();
        assertThat(peekedPayloads(join(store.peek(other, 10)))).containsExactly("m1");
    }

    @Test
    void peekedMessageKeepsAllFields() {
        StoredMessage message = fullMessage("a/b");
        join(store.enqueue(key, message, BOUND));

        assertThat(join(store.peek(key, 1))).singleElement().extracting(QueuedMessage::message)
                .usingRecursiveComparison().isEqualTo(message);
    }

    @Test
    void concurrentPeekAndAckDeliverEachMessageOnceWhileProducersEnqueue() {
        int messages = 300;
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());

        runConcurrently(2, t -> {
            if (t == 0) {
                for (int i = 0; i < messages; i++) {
                    join(store.enqueue(key, message("a", Integer.toString(i)), BOUND));
                }
            } else {
                while (delivered.size() < messages) {
                    List<QueuedMessage> batch = join(store.peek(key, 16));
                    if (!batch.isEmpty()) {
                        delivered.addAll(peekedPayloads(batch));
                        join(store.ack(key, batch.get(batch.size() - 1).sequence()));
                    }
                }
            }
        });

        assertThat(delivered).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, messages).mapToObj(Integer::toString).toList());
        assertThat(join(store.size(key))).isZero();
    }
}
