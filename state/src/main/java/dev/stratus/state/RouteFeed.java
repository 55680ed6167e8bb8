package dev.stratus.state;

/** A subscription to a tenant's route changes; {@link #close()} ends it (idempotent). */
public interface RouteFeed extends AutoCloseable {

    @Override
    void close();
}
