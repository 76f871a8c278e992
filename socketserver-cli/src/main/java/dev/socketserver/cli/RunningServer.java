package dev.socketserver.cli;

import dev.socketserver.BaseServer;
import dev.socketserver.async.AsyncServer;

import java.time.Duration;

/** A bound server of either family, blocking or event-loop, as the command drives it. */
sealed interface RunningServer {

    /** The bound address as {@code --listen} writes it, with the real port. */
    String uri();

    /** Serves until {@link #shutdown(Duration)}. */
    void serveForever() throws Exception;

    /** Stops accepting, lets running requests finish until the deadline, closes the rest. */
    boolean shutdown(Duration drain) throws InterruptedException;

    /** The server's counters on one line. */
    String statsLine();

    /** A blocking server ({@code sync}, {@code threads}, {@code virtual}, {@code bounded:N}). */
    record Blocking(BaseServer<?> server, String uri) implements RunningServer {
        @Override
        public void serveForever() throws Exception {
            server.serveForever();
        }

        @Override
        public boolean shutdown(Duration drain) {
            return server.shutdown(drain);
        }

        @Override
        public String statsLine() {
            return server.stats().toLine();
        }
    }

    /** The event-loop server ({@code async}). */
    record Async(AsyncServer server) implements RunningServer {
        @Override
        public String uri() {
            return server.serverUri();
        }

        @Override
        public void serveForever() throws Exception {
            server.serveForever();
        }

        @Override
        public boolean shutdown(Duration drain) throws InterruptedException {
            return server.shutdown(drain);
        }

        @Override
        public String statsLine() {
            return server.stats().toLine();
        }
    }
}
