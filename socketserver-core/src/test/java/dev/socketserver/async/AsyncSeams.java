package dev.socketserver.async;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/** The event loop's test seams, for tests outside this package (the contract suite). */
public final class AsyncSeams {
    private AsyncSeams() {
    }

    /** Makes the next {@code count} accepts of {@code server} fail with an {@link IOException} saying {@code message}. */
    public static void failAccepts(AsyncServer server, int count, String message) {
        AtomicInteger left = new AtomicInteger(count);
        server.acceptWith(listener -> {
            if (left.getAndDecrement() > 0) {
                throw new IOException(message);
            }
            return listener.accept();
        });
    }
}
