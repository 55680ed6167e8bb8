package dev.stratus.state.model;

/**
 * The result of appending to a queue.
 *
 * @param sequence the appended message's sequence number in its queue
 * @param dropped  how many of the oldest messages were dropped to keep the queue within its bound
 */
public record Appended(long sequence, int dropped) {
}
