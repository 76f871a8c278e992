package dev.socketserver.async;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The event loops of one started {@link AsyncServer}, as a group: made and started together,
 * their bytes summed for the statistics, stopped and waited for together, and what ended the
 * first of them to fail (which fails the server as a whole). Made and started under the server's
 * state lock in the thread that starts it; the other methods run in any thread.
 */
final class EventLoops {
    private final EventLoop[] loops;
    private final Consumer<Throwable> onFailure;
    /** What ended a loop, failing the server as a whole; null while it serves. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /**
     * Makes {@code count} loops, not yet started ({@code ownEpoll}: each with an epoll instance of
     * the library's own, see {@link EventLoop}), each handing what ends it by failing to
     * {@code onFailure} (after recording it here); if a selector cannot be opened, closes those
     * already opened and throws.
     */
    EventLoops(int count, boolean ownEpoll, Consumer<Throwable> onFailure) throws IOException {
        this.onFailure = onFailure;
        EventLoop[] created = new EventLoop[count];
        try {
            for (int i = 0; i < count; i++) {
                created[i] = new EventLoop("socketserver-loop-" + i, ownEpoll, this::failed);
            }
        } catch (IOException e) {
            for (EventLoop loop : created) {
                if (loop != null) {
                    loop.closeUnstarted();
                }
            }
            throw e;
        }
        this.loops = created;
    }

    /** A loop ended by failing: the first cause is kept. Runs in the failing loop's thread, before it closes its own channels. */
    private void failed(Throwable cause) {
        failure.compareAndSet(null, cause);
        onFailure.accept(cause);
    }

    /** Whether a loop has failed, failing the server as a whole. */
    boolean hasFailed() {
        return failure.get() != null;
    }

    /**
     * If a loop has failed: waits a moment for every loop's thread to end (see
     * {@link #awaitTermination()}), then throws what ended the loop, an {@link IOException} if it
     * was neither an error nor unchecked. Otherwise returns.
     */
    void throwFailure() throws IOException {
        Throwable failed = failure.get();
        if (failed == null) {
            return;
        }
        awaitTermination();
        switch (failed) {
            case Error e -> throw e;
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            default -> throw new IOException("event loop failed", failed);
        }
    }

    /** Starts every loop's thread. */
    void start() {
        for (EventLoop loop : loops) {
            loop.start();
        }
    }

    /** The loops, the first (the accepting one) first; the array itself, not to be changed. */
    EventLoop[] all() {
        return loops;
    }

    /** Bytes read by the loops' connections, not yet in the server's counters. */
    long bytesIn() {
        long in = 0;
        for (EventLoop loop : loops) {
            in += loop.bytesIn();
        }
        return in;
    }

    /** Bytes written by the loops' connections, not yet in the server's counters. */
    long bytesOut() {
        long out = 0;
        for (EventLoop loop : loops) {
            out += loop.bytesOut();
        }
        return out;
    }

    /**
     * Asks every loop to stop (each aborts its channels on its way out), then waits up to 10 s for
     * each thread to end, giving up if interrupted (the interrupt is kept).
     */
    void stopAndAwait() {
        for (EventLoop loop : loops) {
            loop.stop();
        }
        for (EventLoop loop : loops) {
            try {
                loop.awaitTermination(TimeUnit.SECONDS.toNanos(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** Waits up to 10 s in all for every loop's thread to end, giving up if interrupted (the interrupt is kept). */
    void awaitTermination() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            for (EventLoop loop : loops) {
                loop.awaitTermination(deadline - System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
