package dev.socketserver.cli;

import dev.socketserver.Concurrency;
import dev.socketserver.GracefulStop;
import dev.socketserver.Server;
import dev.socketserver.ServerStats;
import dev.socketserver.StopSignals;
import dev.socketserver.UnixAddress;

import java.io.IOException;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A bound server's life from its listening line to the exit status: it serves until SIGTERM or
 * SIGINT, then drains ({@link Server#serveUntil}: stop accepting, let running requests finish
 * until the deadline, close the rest) and the command exits 0. A second signal ends the wait for
 * running requests at once.
 */
final class ServerSession {
    private ServerSession() {
    }

    /**
     * Serves until a stop signal, drains, and returns the exit status: 0 after a signal, 1 if
     * the server failed (its socket failed for good, or an {@link Error} such as
     * {@link OutOfMemoryError} ended its serving loop, which closed it), before or during the
     * drain; the failure is reported on {@code err} in one line.
     */
    static int serveUntilStopped(Server server, Duration drain, StopSignals signals, PrintStream err) {
        return serveUntilStopped(server, GracefulStop.drain(drain), signals, err);
    }

    /** {@link #serveUntilStopped(Server, Duration, StopSignals, PrintStream)} with a delay before the drain, or an action at the signal. */
    static int serveUntilStopped(Server server, GracefulStop stop, StopSignals signals, PrintStream err) {
        boolean drained;
        try {
            drained = server.serveUntil(signals, stop);
        } catch (IOException | RuntimeException | Error e) {
            err.println("socketserver: " + describeFailure(e));
            err.flush();
            return Main.EXIT_FAILURE;
        }
        if (!drained && !handedOver(signals)) {
            removeSocketFile(server);
        }
        reportDrain(server.stats(), err);
        return Main.EXIT_OK;
    }

    /** Whether the stop was a reload's: the socket, and its file, now belong to the successor. */
    private static boolean handedOver(StopSignals signals) {
        return "SIGHUP".equals(signals.first().getNow(""));
    }

    /** One line on what the drain did to the connections it found open, if it found any. */
    static void reportDrain(ServerStats stats, PrintStream err) {
        if (stats.drainQuietCloses() + stats.drainCuts() > 0) {
            err.println("socketserver: drain: " + stats.drainQuietCloses() + " connection(s) closed between requests, "
                    + stats.drainCuts() + " cut at the deadline");
            err.flush();
        }
    }

    /** {@code fatal error, exiting: java.lang.OutOfMemoryError: Java heap space} for an Error; the message alone for an I/O failure. */
    static String describeFailure(Throwable cause) {
        if (cause instanceof Error) {
            String message = cause.getMessage();
            return "fatal error, exiting: " + cause.getClass().getName()
                    + (message == null || message.isBlank() ? "" : ": " + ErrorReporter.oneLine(cause));
        }
        return ErrorReporter.oneLine(cause);
    }

    /**
     * Removes a Unix socket file the server had no chance to remove itself, since it did not finish
     * closing; whatever the family. A worker leaves the file to its supervisor, which bound it.
     */
    private static void removeSocketFile(Server server) {
        Path file = switch (server.serverAddress()) {
            case UnixDomainSocketAddress stream -> stream.getPath();
            case UnixAddress datagram when !datagram.isAbstract() -> datagram.path();
            default -> null;
        };
        if (file != null && !Concurrency.isWorkerProcess()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // nothing more to do on the way out
            }
        }
    }
}
