package dev.stratus.ingress.broker;

/**
 * What publishers feed and can be asked to wait for: a subscriber's connection that cannot keep up, or another
 * cluster node that has not yet taken what was forwarded to it. A publisher that routed a message to a congested
 * one stops reading until it is woken. Callable from any thread.
 */
public interface Backpressure {

    /** True while this receiver cannot keep up: publishers that feed it should stop reading for a while. */
    boolean isCongested();

    /**
     * Runs {@code wake} once this receiver is no longer congested (or goes away).
     *
     * @return false when it is not congested any more, so the caller need not wait
     */
    boolean awaitUncongested(Runnable wake);
}
