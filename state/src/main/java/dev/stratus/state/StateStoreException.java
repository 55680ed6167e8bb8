package dev.stratus.state;

/**
 * A store call failed in its backend: the backend is unreachable, timed out, closed, or answered with an error.
 * Stages returned by the stores fail with this exception (possibly wrapped in a
 * {@link java.util.concurrent.CompletionException}); the message names the operation.
 */
public class StateStoreException extends RuntimeException {

    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StateStoreException(String message) {
        super(message);
    }
}
