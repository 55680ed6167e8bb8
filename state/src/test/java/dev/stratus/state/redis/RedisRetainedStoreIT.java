package dev.stratus.state.redis;

import dev.stratus.state.RetainedStore;
import dev.stratus.state.RetainedStoreContract;
import dev.stratus.state.model.StoredMessage;
import dev.stratus.state.model.TenantId;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.stratus.state.ContractSupport.join;
import static dev.stratus.state.ContractSupport.retained;
import static dev.stratus.state.ContractSupport.topics;
import static org.assertj.core.api.Assertions.assertThat;

/** The RetainedStore contract against a real redis-server, plus the index paging and its literal-prefix scan. */
class RedisRetainedStoreIT extends RetainedStoreContract {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected RetainedStore createStore() {
        return REDIS.newStores().retained();
    }

    @Test
    void matchPagesThroughMoreTopicsThanOnePage() {
        int count = RedisRetainedStore.PAGE * 2 + 7;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String topic = "p/" + i;
            join(store.put(tenant, retained(topic, "x")));
            expected.add(topic);
        }
        join(store.put(tenant, retained("q/1", "x")));

        assertThat(topics(join(store.match(tenant, "p/+")))).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(join(store.match(tenant, "#"))).hasSize(count + 1);
    }

    @Test
    void wildcardFilterReadsOnlyTheIndexRangeOfItsLiteralPrefix() throws Exception {
        int others = RedisRetainedStore.PAGE + 100;
        for (int i = 0; i < others; i++) {
            join(store.put(tenant, retained("other/" + i, "x")));
        }
        join(store.put(tenant, retained("a/b/x/c", "x")));
        join(store.put(tenant, retained("a/b/y/d", "x")));
        long before = zrangebylexCalls();

        assertThat(topics(join(store.match(tenant, "a/b/+/c")))).containsExactly("a/b/x/c");

        // one page covered "a/b/": the other topics, more than a page, were never read
        assertThat(zrangebylexCalls() - before).isEqualTo(1);
        // whereas a filter starting with a wildcard reads them all, page by page
        long beforeScan = zrangebylexCalls();
        assertThat(join(store.match(tenant, "+/b/+/c"))).hasSize(1);
        assertThat(zrangebylexCalls() - beforeScan).isGreaterThanOrEqualTo(2);
    }

    @Test
    void trickyTopicsRoundTrip() {
        TenantId tenant = this.tenant;
        for (String topic : List.of("a}b", "{x}/y", "a:b/c%d", "ü/€/😀", "$SYS/x")) {
            join(store.put(tenant, retained(topic, topic)));
            assertThat(join(store.get(tenant, topic))).map(StoredMessage::topic).contains(topic);
        }
        assertThat(topics(join(store.match(tenant, "#")))).containsExactlyInAnyOrder("a}b", "{x}/y", "a:b/c%d",
                "ü/€/😀");
        assertThat(topics(join(store.match(tenant, "ü/+/#")))).containsExactly("ü/€/😀");
    }

    private static long zrangebylexCalls() throws Exception {
        Redis client = REDIS.newClient();
        try {
            Response info = client.send(Request.cmd(Command.INFO).arg("commandstats"))
                    .toCompletionStage().toCompletableFuture().get();
            for (String line : info.toString().split("\r?\n")) {
                if (line.startsWith("cmdstat_zrangebylex:")) {
                    return Long.parseLong(line.replaceAll("^cmdstat_zrangebylex:calls=(\\d+),.*", "$1"));
                }
            }
            return 0;
        } finally {
            client.close();
        }
    }
}
