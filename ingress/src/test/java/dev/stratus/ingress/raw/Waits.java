package dev.stratus.ingress.raw;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

import java.time.Duration;

/** Awaitility polling at once and every 10 ms (its defaults wait 100 ms before the first check). */
final class Waits {

    private static final Duration POLL = Duration.ofMillis(10);

    private Waits() {
    }

    static ConditionFactory await() {
        return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(POLL);
    }

    static ConditionFactory await(String alias) {
        return Awaitility.await(alias).pollDelay(Duration.ZERO).pollInterval(POLL);
    }
}
