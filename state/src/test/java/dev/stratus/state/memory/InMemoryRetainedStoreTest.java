package dev.stratus.state.memory;

import dev.stratus.state.RetainedStore;
import dev.stratus.state.RetainedStoreContract;
import dev.stratus.state.model.MessageProperties;
import dev.stratus.state.model.StoredMessage;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import static dev.stratus.state.ContractSupport.bytes;
import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.retained;
import static dev.stratus.state.ContractSupport.topics;
import static org.assertj.core.api.Assertions.assertThat;

class InMemoryRetainedStoreTest extends RetainedStoreContract {

    @Override
    protected RetainedStore createStore() {
        return new InMemoryRetainedStore();
    }

    @Test
    void messageExpiresWhenTheClockPassesItsExpiry() {
        ManualClock clock = new ManualClock(1_000);
        InMemoryRetainedStore store = new InMemoryRetainedStore(clock);
        join(store.put(tenant, new StoredMessage("a/b", bytes("x"), 1, true, 2_000, MessageProperties.NONE)));

        assertThat(topics(join(store.match(tenant, "a/+")))).containsExactly("a/b");
        clock.set(1_999);
        assertThat(join(store.get(tenant, "a/b"))).isPresent();

        clock.set(2_000);
        assertThat(join(store.match(tenant, "a/+"))).isEmpty();
        // the read came across the expired message and removed it
        assertThat(join(store.count(tenant))).isZero();
    }

    @Test
    void expiredMessageIsRemovedWhenReadByExactTopic() {
        ManualClock clock = new ManualClock(1_000);
        InMemoryRetainedStore store = new InMemoryRetainedStore(clock);
        join(store.put(tenant, new StoredMessage("a/b", bytes("x"), 1, true, 1_500, MessageProperties.NONE)));
        clock.set(5_000);

        assertThat(join(store.match(tenant, "a/b"))).isEmpty();
        assertThat(join(store.count(tenant))).isZero();

        join(store.put(tenant, retained("a/b", "again")));
        assertThat(topics(join(store.match(tenant, "#")))).containsExactly("a/b");
    }

    @Test
    void veryDeepTopicsDoNotExhaustTheStack() {
        // the longest topic name MQTT allows is 65535 bytes: up to 32768 levels
        String deep = "a/".repeat(32_767) + "a";
        join(store.put(tenant, retained(deep, "deep")));

        assertThat(topics(join(store.match(tenant, "#")))).containsExactly(deep);
        assertThat(topics(join(store.match(tenant, "+/".repeat(32_767) + "+")))).containsExactly(deep);
        assertThat(topics(join(store.match(tenant, "a/+/#")))).containsExactly(deep);

        join(store.put(tenant, retained(deep, "")));
        assertThat(join(store.match(tenant, "#"))).isEmpty();
    }

    private static final class ManualClock extends Clock {
        private final AtomicLong millis;

        ManualClock(long millis) {
            this.millis = new AtomicLong(millis);
        }

        void set(long value) {
            millis.set(value);
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
