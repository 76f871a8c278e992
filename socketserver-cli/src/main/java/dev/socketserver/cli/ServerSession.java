package dev.socketserver.cli;

import dev.socketserver.Concurrency;
import dev.socketserver.Server;
import dev.socketserver.ServerStats;
import dev.socketserver.UnixAddress;

import java.io.IOException;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A bound server's life from its listening line to the exit status: it serves until SIGTERM or
 * SIGINT, then drains with {@code shutdown(Duration)} (stop accepting, let running
 * requests finish until the deadline, close the rest) and the command exits 0. A second signal
 * ends the wait for running requests at once.
 *
 * <p>Threads: the serving loop runs in the daemon thread {@code socketserver-serve} and the drain
 * in the daemon thread {@code socketserver-drain}; the caller only waits. That way the caller
 * can stop waiting for a drain that overruns its deadline, for instance when a handler ignores
 * the closing of its connection.
 */
final class ServerSession {
    /** Past the drain deadline, how long the server gets to close the connections still open. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

    private ServerSession() {
    }

    /**
     * Serves until a stop signal, drains, and returns the exit status: 0 after a signal, 1 if
     * the server failed (its socket failed for good, or an {@link Error} such as
     * {@link OutOfMemoryError} ended its serving loop, which closed it), before or during the
     * drain; the failure is reported on {@code err} in one line.
     */
    static int serveUntilStopped(Server server, Duration drain, StopSignals signals, PrintStream err) {
        CompletableFuture<Void> serving = inDaemonThread("socketserver-serve", () -> {
            server.serveForever();
            return null;
        });
        try {
            CompletableFuture.anyOf(serving, signals.first()).join();
        } catch (CompletionException e) {
            return failed(server, e.getCause(), err);
        }
        CompletableFuture<Boolean> drained = inDaemonThread("socketserver-drain", () -> server.shutdown(drain));
        // serving returns normally once the drain has stopped it; only its failure cuts the drain short
        var servingFailed = new CompletableFuture<Void>();
        serving.whenComplete((ignored, failure) -> {
            if (failure != null) {
                servingFailed.complete(null);
            }
        });
        try {
            CompletableFuture.anyOf(drained, signals.second(), servingFailed).get(saturatedNanos(drain.plus(CLOSE_GRACE)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the drain overran or failed, or serving failed (seen below): exiting closes whatever is still open
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (serving.isCompletedExceptionally()) {
            return failed(server, serving.exceptionNow(), err);
        }
        if (!drained.isDone()) {
            removeSocketFile(server);
        }
        reportDrain(server.stats(), err);
        return Main.EXIT_OK;
    }

    /** One line on what the drain did to the connections it found open, if it found any. */
    static void reportDrain(ServerStats stats, PrintStream err) {
        if (stats.drainQuietCloses() + stats.drainCuts() > 0) {
            err.println("socketserver: drain: " + stats.drainQuietCloses() + " connection(s) closed between requests, "
                    + stats.drainCuts() + " cut at the deadline");
            err.flush();
        }
    }

    /** The server failed: one line on {@code err}, the server closed at once, status 1. */
    private static int failed(Server server, Throwable cause, PrintStream err) {
        err.println("socketserver: " + describeFailure(cause));
        err.flush();
        try {
            server.shutdown(Duration.ZERO);
        } catch (RuntimeException | Error again) {
            // it failed already; exiting closes whatever is still open
        }
        return Main.EXIT_FAILURE;
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

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static <T> CompletableFuture<T> inDaemonThread(String name, Callable<T> task) {
        var result = new CompletableFuture<T>();
        Thread.ofPlatform().name(name).daemon().start(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }
}
