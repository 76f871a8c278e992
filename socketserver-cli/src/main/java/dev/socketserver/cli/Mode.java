package dev.socketserver.cli;

import dev.socketserver.Concurrency;

/**
 * A {@code --concurrency} value: a blocking server under a {@link Concurrency}, or the event-loop
 * server with a number of loops.
 */
sealed interface Mode {

    /** A blocking server ({@code sync}, {@code threads}, {@code virtual}, {@code bounded:N}). */
    record Blocking(Concurrency concurrency) implements Mode {
    }

    /** The event-loop server ({@code async} or {@code async:N}); 0 loops means one per processor. */
    record Async(int loops) implements Mode {
    }
}
