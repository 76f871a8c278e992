package dev.socketserver.async;

/**
 * A channel's registration with its event loop: what it waits for, in {@link java.nio.channels.SelectionKey}'s
 * {@code OP_} bits, on either kind of {@link Readiness}. Loop thread only.
 */
interface LoopKey {
    /** What the channel waits for now. */
    int interestOps();

    /** Waits for {@code ops} from now on (0: for nothing). */
    void interestOps(int ops);

    /** Whether the registration stands: not cancelled, and its channel not closed. */
    boolean isValid();

    /** Ends the registration; no event reaches its channel after this returns. */
    void cancel();
}
