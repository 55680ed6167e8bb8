package dev.stratus.state.model;

/**
 * What appending to a bounded offline queue did.
 *
 * @param size    the queue length after the append
 * @param dropped how many of the oldest messages were dropped to keep the bound
 */
public record EnqueueResult(int size, int dropped) {
}
