package dev.stratus.state.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the Redis backend.
 *
 * @param keyPrefix      first segment of every key ({@value #DEFAULT_KEY_PREFIX}); lets several deployments share
 *                       one Redis; must not contain braces
 * @param commandTimeout how long a store call may wait for Redis before it fails
 * @param clock          what retained-message expiry is compared against
 * @param closeClient    whether {@link dev.stratus.state.StateStores#close()} also closes the Redis client: true
 *                       when the backend was given a client of its own, false for a client shared with others
 *                       (e.g. the one quarkus-redis-client manages)
 * @param observer       told the duration of every call (metrics)
 */
public record RedisBackendOptions(String keyPrefix, Duration commandTimeout, Clock clock, boolean closeClient,
                                  RedisCallObserver observer) {

    public RedisBackendOptions(String keyPrefix, Duration commandTimeout, Clock clock, boolean closeClient) {
        this(keyPrefix, commandTimeout, clock, closeClient, RedisCallObserver.NONE);
    }

    public static final String DEFAULT_KEY_PREFIX = "stratus";
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(3);

    public RedisBackendOptions {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(observer, "observer");
        if (keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("keyPrefix must not contain braces: " + keyPrefix);
        }
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be positive: " + commandTimeout);
        }
    }

    /** Default prefix and timeout, the system clock, and a client owned by the caller (not closed). */
    public static RedisBackendOptions defaults() {
        return new RedisBackendOptions(DEFAULT_KEY_PREFIX, DEFAULT_COMMAND_TIMEOUT, Clock.systemUTC(), false);
    }

    public RedisBackendOptions withKeyPrefix(String prefix) {
        return new RedisBackendOptions(prefix, commandTimeout, clock, closeClient, observer);
    }

    public RedisBackendOptions withCommandTimeout(Duration timeout) {
        return new RedisBackendOptions(keyPrefix, timeout, clock, closeClient, observer);
    }

    public RedisBackendOptions withClock(Clock newClock) {
        return new RedisBackendOptions(keyPrefix, commandTimeout, newClock, closeClient, observer);
    }

    public RedisBackendOptions withCloseClient(boolean close) {
        return new RedisBackendOptions(keyPrefix, commandTimeout, clock, close, observer);
    }

    public RedisBackendOptions withObserver(RedisCallObserver callObserver) {
        return new RedisBackendOptions(keyPrefix, commandTimeout, clock, closeClient, callObserver);
    }
}
