package dev.socketserver;

import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.RateLimitedLog;
import dev.socketserver.internal.RequestRunner;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A server's serving loop: {@code serveForever()}'s turns (a permit, a wait for requests, a batch
 * of them taken, a backoff after an accept error, {@code serviceActions()}), {@code handleRequest()}'s
 * one wait, the serving {@code start()} runs in the background, and the end of a loop that an
 * {@link Error} broke. Part of {@link BaseServer}; {@link LoopControl} keeps who serves and how to stop.
 *
 * <p>Threads: everything here runs in the serving thread (the caller of {@code serveForever()} or
 * {@code handleRequest()}, or {@code socketserver-serve}), except {@link #startInBackground}, which
 * the caller of {@code start()} runs.
 *
 * @param <Q> the request type
 */
final class ServingLoop<Q> {
    private static final System.Logger LOG = System.getLogger(Loggers.SERVER);
    private static final System.Logger ACCEPT_LOG = System.getLogger(Loggers.ACCEPT);
    private static final int MAX_ACCEPTS_PER_WAKEUP = 64;
    private static final long MAX_ACCEPT_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final BaseServer<Q> server;
    private final LoopControl control;
    private final RequestRunner runner;
    private final RequestWalk<Q> walk;
    private final RateLimitedLog acceptErrorLog = new RateLimitedLog(ACCEPT_LOG, Duration.ofSeconds(1));

    ServingLoop(BaseServer<Q> server, LoopControl control, RequestRunner runner, RequestWalk<Q> walk) {
        this.server = server;
        this.control = control;
        this.runner = runner;
        this.walk = walk;
    }

    /** {@link BaseServer#start()}: serves in a new platform thread; a failure that ends it is logged and closes the server. */
    void startInBackground(long pollNanos) {
        CompletableFuture<Void> served = new CompletableFuture<>();
        control.claimBackground(served);
        Thread.ofPlatform().name("socketserver-serve").start(() -> {
            try {
                serve(pollNanos);
                served.complete(null);
            } catch (LoopControl.ClosedBeforeServing e) {
                served.complete(null);   // closed before this thread got to serve: as if stopped at once
            } catch (Throwable t) {
                try {
                    LOG.log(Level.ERROR, "serving " + server.serverUri() + " in the background failed; closing the server", t);
                    server.close();
                } finally {
                    served.completeExceptionally(t);
                }
            }
        });
    }

    /** Serves until stopped; an interrupt closes the server, and an {@link Error} fails it as a whole before it is rethrown. */
    void serve(long pollNanos) throws IOException {
        try {
            runLoop(pollNanos);
            if (Thread.currentThread().isInterrupted()) {
                server.close();   // Server's contract: an interrupt of the serving thread stops the server
            }
        } catch (Error e) {
            closeAfterFatal(e);
            throw e;
        }
    }

    /** An Error ended the serving loop: the server fails as a whole, listener and connections closed. */
    private void closeAfterFatal(Error e) {
        try {
            LOG.log(Level.ERROR, "serving " + Addresses.format(server.serverAddress()) + " failed; closing the server", e);
        } catch (Throwable loggingFailed) {
            // out of memory again, say: closing matters more
        }
        try {
            server.shutdown(Duration.ZERO);
        } catch (Throwable closingFailed) {
            e.addSuppressed(closingFailed);
        }
    }

    /** The loop's turns, until a stop is requested or the thread is interrupted. */
    private void runLoop(long pollNanos) throws IOException {
        control.enter();
        if (server.stages().supervisesWorkers()) {
            try {
                server.stages().superviseWorkers(control::isStopRequested, pollNanos, server::serviceActions);
            } finally {
                control.leave();
            }
            return;
        }
        boolean permit = false;
        long backoff = 0;
        try {
            while (!control.isStopRequested() && !Thread.currentThread().isInterrupted()) {
                server.stages().loopTurned();
                if (!permit) {
                    permit = runner.acquire(pollNanos, control::isStopRequested);
                }
                if (permit && !control.isStopRequested()) {
                    boolean ready = server.awaitReady(pollNanos);
                    if (control.isStopRequested()) {
                        break;
                    }
                    if (ready) {
                        permit = false;
                        if (acceptReady()) {
                            backoff = 0;
                        } else {
                            backoff = backoff == 0 ? TimeUnit.MILLISECONDS.toNanos(5) : Math.min(backoff * 2, MAX_ACCEPT_BACKOFF_NANOS);
                            control.awaitStop(backoff);
                        }
                    }
                }
                if (!control.isStopRequested()) {
                    server.serviceActions();
                }
            }
        } catch (ClosedSelectorException | ClosedChannelException e) {
            if (!control.isClosed()) {
                throw e instanceof IOException io ? io : new ClosedChannelException();
            }
        } finally {
            if (permit) {
                runner.release();
            }
            control.leave();
        }
    }

    /**
     * Takes the requests that are ready, as many as there are permits, up to a batch. Called
     * holding one permit, which it always gives up: to a request, or back to the runner.
     *
     * @return false if taking a request failed with a transient error (the caller backs off)
     */
    private boolean acceptReady() throws IOException {
        boolean permit = true;
        try {
            for (int i = 0; i < MAX_ACCEPTS_PER_WAKEUP && !control.isStopRequested(); i++) {
                if (!permit && !(permit = runner.acquire(0, control::isStopRequested))) {
                    break;
                }
                Q request;
                try {
                    request = server.getRequest();
                } catch (ClosedChannelException e) {
                    throw e;
                } catch (IOException e) {
                    logAcceptError(e);
                    return false;
                }
                if (request == null) {
                    break;
                }
                permit = false;
                walk.take(request);
                if (runner.isInline()) {
                    break;   // as in Python, a synchronous server takes one request per wakeup
                }
            }
            return true;
        } finally {
            if (permit) {
                runner.release();
            }
        }
    }

    /** {@link BaseServer#handleRequest()}: waits for one request, up to {@code wait} ({@code null}: no limit), and handles it. */
    void handleOne(Duration wait) throws IOException {
        long deadline = wait == null ? 0 : System.nanoTime() + wait.toNanos();
        control.enter();
        boolean permit = false;
        try {
            while (!control.isStopRequested() && !Thread.currentThread().isInterrupted()) {
                server.stages().loopTurned();
                long remaining = wait == null ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (remaining <= 0) {
                    server.handleTimeout();
                    return;
                }
                if (!permit) {
                    permit = runner.acquire(remaining, control::isStopRequested);
                    continue;
                }
                if (server.awaitReady(remaining) && !control.isStopRequested()) {
                    Q request = server.getRequest();
                    if (request != null) {
                        permit = false;
                        walk.take(request);
                        return;
                    }
                }
            }
        } catch (ClosedSelectorException | ClosedChannelException e) {
            if (!control.isClosed()) {
                throw e instanceof IOException io ? io : new ClosedChannelException();
            }
        } finally {
            if (permit) {
                runner.release();
            }
            control.leave();
        }
    }

    private void logAcceptError(IOException e) {
        server.counters.acceptErrors.increment();
        acceptErrorLog.log(Level.WARNING, () -> "accept on " + Addresses.format(server.serverAddress()) + " failed, retrying: " + e);
    }
}
