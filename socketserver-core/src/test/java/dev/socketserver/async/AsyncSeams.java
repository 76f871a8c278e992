package dev.socketserver.async;

import java.io.IOException;
import java.util.function.Supplier;

/** The event loop's test seams, for tests outside this package (the contract suite). */
public final class AsyncSeams {
    private AsyncSeams() {
    }

    /**
     * Before each accept of {@code server}, asks {@code failure}: a non-null answer fails that
     * accept with an {@link IOException} saying it.
     */
    public static void failAccepts(AsyncServer server, Supplier<String> failure) {
        server.acceptWith(listener -> {
            String message = failure.get();
            if (message != null) {
                throw new IOException(message);
            }
            return listener.accept();
        });
    }
}
