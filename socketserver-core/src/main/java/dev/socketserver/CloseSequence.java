package dev.socketserver;

import dev.socketserver.LoopControl.LoopStop;
import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.DrainPlan;
import dev.socketserver.internal.JmxRegistration;
import dev.socketserver.internal.Loggers;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The steps of closing a server, in their order: {@link BaseServer#close()} and the drain of
 * {@link BaseServer#shutdown(Duration)}, and the release both begin with (mark closed, unregister
 * from JMX, stop the loop, close the socket). Part of {@link BaseServer}.
 *
 * <p>Threads: whichever thread closes or drains the server, a handler's among them; the serving
 * thread itself when an {@link Error} ends the loop.
 *
 * @param <Q> the request type
 */
final class CloseSequence<Q> {
    private static final System.Logger LOG = System.getLogger(Loggers.SERVER);
    /** How long {@link BaseServer#close()} gives child processes to exit after {@code SIGTERM}. */
    private static final Duration CLOSE_CHILDREN_DEADLINE = Duration.ofSeconds(5);

    private final BaseServer<Q> server;
    private final LoopControl control;
    private final RunningRequests<Q> running;
    private final JmxRegistration jmx;

    CloseSequence(BaseServer<Q> server, LoopControl control, RunningRequests<Q> running, JmxRegistration jmx) {
        this.server = server;
        this.control = control;
        this.running = running;
        this.jmx = jmx;
    }

    /** {@link BaseServer#close()}: release, wait for running requests if the concurrency model says so, then release what outlives the socket. */
    void close() {
        stopAndRelease(true);
        if (switch (server.concurrency()) {
            case ThreadModel threads -> threads.blockOnClose();
            case ProcessModel processes -> processes.blockOnClose();
        }) {
            running.await(Long.MAX_VALUE);
        }
        server.stages().afterClose(System.nanoTime() + CLOSE_CHILDREN_DEADLINE.toNanos());
    }

    /**
     * {@link BaseServer#shutdown(Duration)} after it marked the server draining: release at once,
     * give running requests until the plan's deadline, cut the rest, and close.
     *
     * @return whether every request finished before the deadline
     */
    boolean drain(DrainPlan plan) {
        long deadline = plan.deadlineNanos();
        // the listener closes at once, even while a synchronous request still runs in the serving thread
        LoopStop stop = stopAndRelease(false);
        boolean finished = running.awaitDrained(plan);
        if (!finished) {
            running.cutAll(stop == null ? null : stop.thread());
            running.await(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        }
        if (stop != null) {
            control.awaitEnd(stop, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        }
        return server.stages().afterClose(deadline) && finished;
    }

    /** Marks the server closed, stops the loop (waiting for it to end if asked) and closes the socket. Null if already closed. */
    private LoopStop stopAndRelease(boolean waitForLoop) {
        if (!control.markClosed()) {
            return null;
        }
        jmx.unregister();
        LoopStop stop = control.requestStop();
        if (waitForLoop && stop != null) {
            control.awaitEnd(stop, Long.MAX_VALUE);
        }
        try {
            server.serverClose();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing " + Addresses.format(server.serverAddress()) + " failed: " + e);
        }
        return stop;
    }
}
