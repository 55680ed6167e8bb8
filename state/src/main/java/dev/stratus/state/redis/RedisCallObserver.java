package dev.stratus.state.redis;

/**
 * Told how long each store call to Redis took, for metrics (e.g. a Micrometer timer per operation). Called on the
 * Redis client's event loop when the answer (or the failure) arrives: it must not block.
 */
@FunctionalInterface
public interface RedisCallObserver {

    RedisCallObserver NONE = (operation, nanos, succeeded) -> {
    };

    /**
     * @param operation the call's name, from a fixed set in this package (e.g. {@code "queues.append"})
     * @param nanos     from the call to its answer, timeouts and failures included
     */
    void completed(String operation, long nanos, boolean succeeded);
}
