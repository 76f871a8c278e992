package dev.socketserver.internal;

import dev.socketserver.GracefulStop;
import dev.socketserver.Server;
import dev.socketserver.StopSignals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Server#serveUntil}: serves until a stop signal, runs the stop's action, serves on for its
 * delay, then drains. The serving loop runs in the
 * daemon thread {@code socketserver-serve} and the drain in {@code socketserver-drain}; the caller
 * only waits, so it can stop waiting for a drain that overruns its deadline (a handler that
 * ignores the closing of its connection) and let the program exit.
 */
public final class SignalledServing {
    /** Past the drain deadline, how long the server gets to close the connections still open. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger(Loggers.SERVER);

    private SignalledServing() {
    }

    /** See {@link Server#serveUntil}. */
    public static boolean serve(Server server, StopSignals signals, GracefulStop stop) throws IOException {
        Duration drain = stop.drain();
        CompletableFuture<Void> serving = inDaemonThread("socketserver-serve", () -> {
            server.serveForever();
            return null;
        });
        try {
            CompletableFuture.anyOf(serving, signals.first()).join();
        } catch (CompletionException e) {
            server.close();
            throw rethrown(e.getCause());
        }
        inDaemonThread("socketserver-stop-requested", () -> {
            stop.onStopRequested().run();
            return null;
        }).whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.log(Level.WARNING, "the action run at the stop signal failed; stopping anyway", failure);
            }
        });
        boolean handedOver = "SIGHUP".equals(signals.first().getNow(null));   // a successor serves the socket already
        if (!handedOver && !serveOnFor(stop.delay(), serving, signals)) {
            server.close();
            if (serving.isCompletedExceptionally()) {
                throw rethrown(serving.exceptionNow());
            }
            return false;
        }
        CompletableFuture<Boolean> drained = inDaemonThread("socketserver-drain", () -> server.shutdown(drain));
        var servingFailed = new CompletableFuture<Void>();   // serving returns normally once the drain stopped it
        serving.whenComplete((ignored, failure) -> {
            if (failure != null) {
                servingFailed.complete(null);
            }
        });
        try {
            CompletableFuture.anyOf(drained, signals.second(), servingFailed).get(saturatedNanos(drain.plus(CLOSE_GRACE)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the drain overran or failed, or serving failed (seen below)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            return false;
        }
        if (serving.isCompletedExceptionally()) {
            server.close();
            throw rethrown(serving.exceptionNow());
        }
        if (signals.second().isDone() && !drained.isDone()) {
            server.close();   // a second signal: stop waiting for busy connections
        }
        return drained.isDone() && !drained.isCompletedExceptionally() && drained.join();
    }

    /**
     * Goes on serving for {@code delay}; returns false, early, if a second signal or a failure
     * of serving, or an interrupt, ends it: then the server is to stop at once.
     */
    private static boolean serveOnFor(Duration delay, CompletableFuture<Void> serving, StopSignals signals) {
        if (delay.isZero()) {
            return true;
        }
        LOG.log(Level.INFO, "stop requested: serving on for " + delay.toMillis() + " ms before the drain (a second signal stops at once)");
        try {
            CompletableFuture.anyOf(serving, signals.second()).get(saturatedNanos(delay), TimeUnit.NANOSECONDS);
            return false;
        } catch (TimeoutException e) {
            return true;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static IOException rethrown(Throwable cause) {
        return switch (cause) {
            case IOException io -> io;
            case UncheckedIOException unchecked -> unchecked.getCause();
            case RuntimeException runtime -> throw runtime;
            case Error error -> throw error;
            default -> new IOException(cause);
        };
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
