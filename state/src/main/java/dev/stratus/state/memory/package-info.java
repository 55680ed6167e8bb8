/**
 * The in-memory backend: every store keeps its state on the heap of one broker process. Used by the embedded
 * broker and by tests; state is lost on restart.
 * <p>
 * Every method completes its stage before returning and never waits for another thread for longer than a short
 * per-key (or, for retained writes, per-tenant) critical section, so callers on Netty event loops are not blocked.
 */
package dev.stratus.state.memory;
