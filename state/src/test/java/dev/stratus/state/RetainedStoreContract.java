package dev.stratus.state;

import dev.stratus.state.model.MessageProperties;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.stratus.state.ContractSupport.LONG_AGO;
import static dev.stratus.state.ContractSupport.bytes;
import static dev.stratus.state.ContractSupport.farFuture;
import static dev.stratus.state.ContractSupport.fullMessage;
import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.newTenant;
import static dev.stratus.state.ContractSupport.payload;
import static dev.stratus.state.ContractSupport.retained;
import static dev.stratus.state.ContractSupport.runConcurrently;
import static dev.stratus.state.ContractSupport.topics;
import static org.assertj.core.api.Assertions.assertThat;

/** The behaviour every {@link RetainedStore} backend must have. Extend it once per backend. */
public abstract class RetainedStoreContract {

    protected RetainedStore store;
    protected TenantId tenant;

    /**
     * A store for one test, reading the system clock. It may share its backend with other tests: every test uses
     * fresh tenants.
     */
    protected abstract RetainedStore createStore();

    @BeforeEach
    void setUpStore() {
        store = createStore();
        tenant = newTenant();
    }

    private void put(String... topics) {
        for (String topic : topics) {
            join(store.put(tenant, retained(topic, "p:" + topic)));
        }
    }

    private void delete(String topic) {
        join(store.put(tenant, retained(topic, "")));
    }

    private List<String> match(String filter) {
        return topics(join(store.match(tenant, filter)));
    }

    private static StoredMessage expiringAt(String topic, long expiresAtMillis) {
        return new StoredMessage(topic, bytes("x"), 1, true, expiresAtMillis, MessageProperties.NONE);
    }

    @Test
    void getReturnsEmptyForUnknownTopic() {
        assertThat(join(store.get(tenant, "a/b"))).isEmpty();
        assertThat(join(store.count(tenant))).isZero();
    }

    @Test
    void retainedMessageKeepsAllFields() {
        StoredMessage message = fullMessage("a/b");
        join(store.put(tenant, message));

        assertThat(join(store.get(tenant, "a/b"))).get().usingRecursiveComparison().isEqualTo(message);
        assertThat(join(store.match(tenant, "a/+"))).singleElement().usingRecursiveComparison().isEqualTo(message);
    }

    @Test
    void putReplacesPreviousRetained_MQTT_3_3_1_5() {
        join(store.put(tenant, retained("a/b", "first")));
        join(store.put(tenant, retained("a/b", "second")));

        assertThat(join(store.get(tenant, "a/b")).map(ContractSupport::payload)).contains("second");
        assertThat(join(store.match(tenant, "a/#"))).extracting(ContractSupport::payload).containsExactly("second");
        assertThat(join(store.count(tenant))).isEqualTo(1);
    }

    @Test
    void emptyPayloadDeletesRetained_MQTT_3_3_1_10() {
        put("a/b", "a/c");

        delete("a/b");

        assertThat(join(store.get(tenant, "a/b"))).isEmpty();
        assertThat(match("a/b")).isEmpty();
        assertThat(match("a/+")).containsExactly("a/c");
        assertThat(join(store.count(tenant))).isEqualTo(1);
    }

    @Test
    void emptyPayloadForUnknownTopicChangesNothing() {
        put("a/b");

        delete("a/b/c");
        delete("x");

        assertThat(match("#")).containsExactly("a/b");
        assertThat(join(store.count(tenant))).isEqualTo(1);
    }

    @Test
    void deletedTopicCanBeRetainedAgain() {
        put("a/b/c");
        delete("a/b/c");
        assertThat(match("a/#")).isEmpty();

        put("a/b/c");

        assertThat(match("a/#")).containsExactly("a/b/c");
    }

    @Test
    void deletingParentKeepsChildrenAndTheOtherWayRound() {
        put("a", "a/b", "a/b/c");

        delete("a/b");
        assertThat(match("#")).containsExactlyInAnyOrder("a", "a/b/c");

        delete("a/b/c");
        assertThat(match("#")).containsExactly("a");
        assertThat(match("a/+/c")).isEmpty();
    }

    @Test
    void exactFilterMatchesOnlyThatTopic() {
        put("a/b", "a/b/c", "a", "a/bb");

        assertThat(match("a/b")).containsExactly("a/b");
        assertThat(match("a/x")).isEmpty();
    }

    @Test
    void singleLevelWildcardMatchesExactlyOneLevel() {
        put("a", "a/b", "a/c", "a/b/c", "x/b");

        assertThat(match("a/+")).containsExactlyInAnyOrder("a/b", "a/c");
        assertThat(match("+/b")).containsExactlyInAnyOrder("a/b", "x/b");
        assertThat(match("+/+/c")).containsExactly("a/b/c");
        assertThat(match("+")).containsExactly("a");
        assertThat(match("a/+/+/+")).isEmpty();
    }

    @Test
    void multiLevelWildcardMatchesParentAndDescendants() {
        put("a", "a/b", "a/b/c/d", "ab", "b/a");

        assertThat(match("a/#")).containsExactlyInAnyOrder("a", "a/b", "a/b/c/d");
        assertThat(match("a/b/#")).containsExactlyInAnyOrder("a/b", "a/b/c/d");
        assertThat(match("+/#")).containsExactlyInAnyOrder("a", "a/b", "a/b/c/d", "ab", "b/a");
        assertThat(match("+/a/#")).containsExactly("b/a");
    }

    @Test
    void hashAloneMatchesEverythingButDollarTopics() {
        put("a", "a/b", "/", "$SYS/x");

        assertThat(match("#")).containsExactlyInAnyOrder("a", "a/b", "/");
    }

    @Test
    void leadingWildcardNeverMatchesDollarTopics_MQTT_4_7_2_1() {
        put("$SYS/broker/uptime", "$share", "$", "$x/y/z");

        assertThat(match("#")).isEmpty();
        assertThat(match("+/broker/uptime")).isEmpty();
        assertThat(match("+/#")).isEmpty();
        assertThat(match("+")).isEmpty();
        assertThat(match("+/+/+")).isEmpty();
    }

    @Test
    void dollarTopicsMatchFiltersStartingWithTheirFirstLevel() {
        put("$SYS/broker/uptime", "$SYS/broker/load", "$SYS");

        assertThat(match("$SYS/#")).containsExactlyInAnyOrder("$SYS/broker/uptime", "$SYS/broker/load", "$SYS");
        assertThat(match("$SYS/+/uptime")).containsExactly("$SYS/broker/uptime");
        assertThat(match("$SYS/broker/load")).containsExactly("$SYS/broker/load");
    }

    @Test
    void dollarBelowTheFirstLevelIsAnOrdinaryLevel() {
        put("a/$b", "a/$b/c");

        assertThat(match("a/+")).containsExactly("a/$b");
        assertThat(match("+/+/c")).containsExactly("a/$b/c");
    }

    @Test
    void emptyLevelsAreLevels() {
        put("/a", "a/", "a//b", "/");

        assertThat(match("+/a")).containsExactly("/a");
        assertThat(match("a/+")).containsExactly("a/");
        assertThat(match("a/+/b")).containsExactly("a//b");
        assertThat(match("+/+")).containsExactlyInAnyOrder("/a", "a/", "/");
        assertThat(match("/#")).containsExactlyInAnyOrder("/a", "/");
        assertThat(match("a/")).containsExactly("a/");
    }

    @Test
    void expiredRetainedMessagesAreNotReturned() {
        join(store.put(tenant, expiringAt("a/old", LONG_AGO)));
        join(store.put(tenant, expiringAt("a/fresh", farFuture())));
        join(store.put(tenant, expiringAt("a/forever", 0)));

        assertThat(match("a/+")).containsExactlyInAnyOrder("a/fresh", "a/forever");
        assertThat(match("#")).containsExactlyInAnyOrder("a/fresh", "a/forever");
        assertThat(match("a/old")).isEmpty();
        assertThat(match("a/fresh")).containsExactly("a/fresh");
    }

    @Test
    void expiredRetainedMessageIsNotReturnedByGet() {
        join(store.put(tenant, expiringAt("a/old", LONG_AGO)));

        assertThat(join(store.get(tenant, "a/old"))).isEmpty();
    }

    @Test
    void countCountsRetainedTopicsOfTheTenant() {
        put("a", "a/b", "c");
        put("a");
        delete("c");

        assertThat(join(store.count(tenant))).isEqualTo(2);
    }

    @Test
    void tenantsAreIsolated() {
        TenantId other = newTenant();
        put("a/b", "c");
        join(store.put(other, retained("a/b", "theirs")));

        assertThat(join(store.get(tenant, "a/b")).map(ContractSupport::payload)).contains("p:a/b");
        assertThat(join(store.count(other))).isEqualTo(1);
        assertThat(topics(join(store.match(other, "#")))).containsExactly("a/b");
        assertThat(topics(join(store.match(other, "c")))).isEmpty();

        join(store.put(other, retained("a/b", "")));
        assertThat(match("a/#")).containsExactly("a/b");
        assertThat(join(store.match(newTenant(), "#"))).isEmpty();
    }

    @Test
    void matchedListIsNotBackedByTheStore() {
        put("a/b", "a/c");
        List<StoredMessage> matched = join(store.match(tenant, "a/+"));

        try {
            matched.clear();
        } catch (UnsupportedOperationException expected) {
            // an immutable list is fine too
        }

        assertThat(match("a/+")).hasSize(2);
    }

    /** Random puts and deletes over a small topic space; every filter must match what a plain matcher says. */
    @Test
    void matchAgreesWithReferenceMatcher() {
        Random random = new Random(20_240_601L);
        String[] topicLevels = {"a", "b", "", "$s"};
        String[] filterLevels = {"a", "b", "", "$s", "+", "+"};
        Map<String, String> model = new HashMap<>();

        for (int i = 0; i < 300; i++) {
            String topic = randomPath(random, topicLevels);
            if (random.nextInt(4) == 0) {
                delete(topic);
                model.remove(topic);
            } else {
                String payload = "v" + i;
                join(store.put(tenant, retained(topic, payload)));
                model.put(topic, payload);
            }
        }

        List<String> filters = new ArrayList<>(List.of("#", "+", "+/#", "$s/#"));
        for (int i = 0; i < 150; i++) {
            String filter = randomPath(random, filterLevels);
            filters.add(random.nextBoolean() ? filter : filter + "/#");
        }
        for (String filter : filters) {
            Map<String, String> expected = new HashMap<>();
            model.forEach((topic, payload) -> {
                if (referenceMatches(filter, topic)) {
                    expected.put(topic, payload);
                }
            });
            Map<String, String> actual = new HashMap<>();
            for (StoredMessage message : join(store.match(tenant, filter))) {
                assertThat(actual.put(message.topic(), payload(message))).as("duplicate %s", message.topic()).isNull();
            }
            assertThat(actual).as("filter '%s'", filter).isEqualTo(expected);
        }
        assertThat(join(store.count(tenant))).isEqualTo(model.size());
    }

    @Test
    void concurrentPutsAndDeletesKeepTheIndexConsistent() {
        int threads = 8;
        int branches = 4;

        // threads keep emptying and refilling the same branches, so a delete that prunes a branch races with
        // puts into it
        runConcurrently(threads, t -> {
            for (int round = 0; round < 50; round++) {
                for (int b = 0; b < branches; b++) {
                    join(store.put(tenant, retained("r/" + b + "/" + t, "x")));
                    delete("r/" + b + "/" + t);
                }
            }
            for (int b = 0; b < branches; b += 2) {
                join(store.put(tenant, retained("r/" + b + "/" + t, "last")));
            }
        });

        List<String> expected = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            for (int b = 0; b < branches; b += 2) {
                expected.add("r/" + b + "/" + t);
            }
        }
        assertThat(match("#")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(match("r/+/+")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(match("r/1/#")).isEmpty();
        assertThat(join(store.count(tenant))).isEqualTo(expected.size());
    }

    private static String randomPath(Random random, String[] levels) {
        int depth = 1 + random.nextInt(4);
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                path.append('/');
            }
            path.append(levels[random.nextInt(levels.length)]);
        }
        return path.toString();
    }

    /** MQTT 5 section 4.7 topic matching, written as plainly as possible. */
    static boolean referenceMatches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        if ((f[0].equals("+") || f[0].equals("#")) && topic.startsWith("$")) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
