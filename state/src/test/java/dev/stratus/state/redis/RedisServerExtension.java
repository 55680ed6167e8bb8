package dev.stratus.state.redis;

import dev.stratus.state.StateStores;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts one real {@code redis-server} ({@link RedisServerProcess}) and one Vert.x instance per test class, and
 * creates Redis-backed {@link StateStores} for its tests; stores created during a test are closed after it.
 * Register it on a static field:
 * <pre>
 * &#64;RegisterExtension
 * static final RedisServerExtension REDIS = new RedisServerExtension();
 * </pre>
 * Tests share the server: they work in fresh random tenants, so nothing needs flushing.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {

    private RedisServerProcess server;
    private Vertx vertx;
    private final List<StateStores> created = new ArrayList<>();
    private final List<Redis> clients = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        vertx = Vertx.vertx();
        server = RedisServerProcess.create().start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeCreated();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        closeCreated();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            server.close();
        }
    }

    public RedisServerProcess server() {
        return server;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** A new client of the server, for a test that builds the backend itself; the test closes it. */
    public Redis newClient() {
        return Redis.createClient(vertx, RedisBackend.clientOptions(server.connectionString()));
    }

    /** A new client of the server (or cluster), closed after the current test. */
    public synchronized Redis managedClient() {
        Redis client = newClient();
        clients.add(client);
        return client;
    }

    /** Stores on a client of their own (closed with them), with default options. */
    public StateStores newStores() {
        return newStores(RedisBackendOptions.defaults());
    }

    /** Stores on a client of their own (closed with them); closed after the current test. */
    public synchronized StateStores newStores(RedisBackendOptions options) {
        StateStores stores = RedisBackend.create(vertx, newClient(), options.withCloseClient(true));
        created.add(stores);
        return stores;
    }

    private synchronized void closeCreated() {
        created.forEach(StateStores::close);
        created.clear();
        clients.forEach(Redis::close);
        clients.clear();
    }
}
