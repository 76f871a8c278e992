package dev.socketserver;

import dev.socketserver.internal.RequestRunner;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who runs a server's serving loop and how to stop it: the serving thread, which run of the loop
 * it is (its generation), the request to stop, whether the server is closed, and the serving
 * {@link BaseServer#start()} began in the background. Part of {@link BaseServer}; {@link ServingLoop}
 * runs the loop itself.
 *
 * <p>Threads: the serving thread enters and leaves the loop and waits out its backoffs here; any
 * thread asks the loop to stop, waits for it to end, or marks the server closed. The lock is the
 * server's state lock, which {@link RunningRequests} shares.
 */
final class LoopControl {
    /** A loop that was asked to stop: the thread running it, and which run of the loop it was. */
    record LoopStop(Thread thread, long generation) {
    }

    private final BaseServer<?> server;
    private final RequestRunner runner;
    private final ReentrantLock stateLock;
    private final Condition loopEnded;
    private final Condition stopSignal;
    private Thread servingThread;               // guarded by stateLock
    private long loopGeneration;                // guarded by stateLock
    // volatile: the serving loop reads these between waits without taking the lock
    private volatile boolean stopRequested;
    private volatile boolean closed;
    // volatile: set by start(), read by serveForever() in any thread
    private volatile CompletableFuture<Void> background;

    LoopControl(BaseServer<?> server, RequestRunner runner, ReentrantLock stateLock) {
        this.server = server;
        this.runner = runner;
        this.stateLock = stateLock;
        this.loopEnded = stateLock.newCondition();
        this.stopSignal = stateLock.newCondition();
    }

    /** {@link BaseServer#start()}'s checks: makes {@code served} the background serving, or throws if it may not serve. */
    void claimBackground(CompletableFuture<Void> served) {
        stateLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("server is closed");
            }
            if (!server.isActivated()) {
                throw new IllegalStateException("server is not activated: call serverBind() and serverActivate() first");
            }
            CompletableFuture<Void> running = background;
            if (servingThread != null || (running != null && !running.isDone())) {
                throw new IllegalStateException("server is already serving");
            }
            background = served;
        } finally {
            stateLock.unlock();
        }
    }

    /** Waits for the serving {@link BaseServer#start()} began; true if there was one (its failure rethrown), false if none. */
    boolean awaitBackground() throws IOException {
        CompletableFuture<Void> running = background;
        if (running == null) {
            return false;
        }
        try {
            running.get();
        } catch (InterruptedException e) {
            server.close();
            Thread.currentThread().interrupt();
            return true;
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException runtime -> throw runtime;
                case Error error -> throw error;
                default -> throw new IOException("serving failed", e.getCause());
            }
        }
        background = null;   // it ended by shutdown(): like Python's, a later serveForever() serves again
        return true;
    }

    /** The calling thread becomes the serving thread, for a new run of the loop. */
    void enter() {
        stateLock.lock();
        try {
            if (closed) {
                throw new ClosedBeforeServing();
            }
            if (servingThread != null) {
                throw new IllegalStateException("server is already serving in thread " + servingThread.getName());
            }
            if (!server.isActivated()) {
                throw new IllegalStateException("server is not activated: call serverBind() and serverActivate() first");
            }
            servingThread = Thread.currentThread();
            loopGeneration++;
            stopRequested = false;
        } finally {
            stateLock.unlock();
        }
    }

    /** The loop has ended: no thread serves now; wakes those waiting for the end. */
    void leave() {
        stateLock.lock();
        try {
            servingThread = null;
            stopRequested = false;
            loopEnded.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /** Waits up to {@code nanos}, or until a stop is requested. */
    void awaitStop(long nanos) {
        stateLock.lock();
        try {
            long remaining = nanos;
            while (!stopRequested && remaining > 0) {
                remaining = stopSignal.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stateLock.unlock();
        }
    }

    boolean isStopRequested() {
        return stopRequested;
    }

    /** Asks the loop to stop and wakes it. Returns what to wait for, or null if no other thread needs waiting for. */
    LoopStop requestStop() {
        Thread serving;
        long generation;
        stateLock.lock();
        try {
            serving = servingThread;
            if (serving == null) {
                return null;
            }
            generation = loopGeneration;
            stopRequested = true;
            stopSignal.signalAll();
        } finally {
            stateLock.unlock();
        }
        server.wakeUp();
        runner.wakeUp();
        return serving == Thread.currentThread() ? null : new LoopStop(serving, generation);
    }

    /** Waits until the run of the loop that {@code stop} asked to stop has ended, or the deadline passes ({@code Long.MAX_VALUE}: none). */
    boolean awaitEnd(LoopStop stop, long deadlineNanos) {
        stateLock.lock();
        try {
            while (servingThread == stop.thread() && loopGeneration == stop.generation()) {
                if (deadlineNanos == Long.MAX_VALUE) {
                    loopEnded.awaitUninterruptibly();
                } else {
                    long remaining = deadlineNanos - System.nanoTime();
                    if (remaining <= 0) {
                        return false;
                    }
                    loopEnded.awaitNanos(remaining);
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            stateLock.unlock();
        }
    }

    /** Marks the server closed; false if it was already. */
    boolean markClosed() {
        stateLock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        } finally {
            stateLock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** The server was closed before its loop began: nothing to serve. */
    static final class ClosedBeforeServing extends IllegalStateException {
        ClosedBeforeServing() {
            super("server is closed");
        }
    }
}
