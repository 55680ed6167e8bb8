package dev.stratus.state.model;

/**
 * The result of appending to a queue.
 *
 * @param sequence the appended message's sequence number in its queue; -1 for a {@link #DUPLICATE}
 * @param dropped  how many of the oldest messages were dropped to keep the queue within its bound
 */
public record Appended(long sequence, int dropped) {

    /** What {@code appendOnce} answers when the session already had a message with the same delivery id. */
    public static final Appended DUPLICATE = new Appended(-1, 0);

    /** Whether nothing was appended: the session already had this message (see {@code appendOnce}). */
    public boolean duplicate() {
        return sequence < 0;
    }
}
