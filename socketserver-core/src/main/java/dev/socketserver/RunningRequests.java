package dev.socketserver;

import dev.socketserver.internal.DrainPlan;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.RequestRunner;

import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The requests a server runs now, each with the thread it runs in, and their ends: completing a
 * request exactly once, ending one on the server's initiative, cutting all of them at a drain's
 * deadline, and waiting, with a deadline, for them to finish. Part of {@link BaseServer}.
 *
 * <p>Threads: the serving thread adds requests; a request completes in its own thread (in the
 * serving thread if synchronous, in the reaper's for a child process); any thread ends requests or
 * waits for them ({@code close()}, {@code shutdown(Duration)}, the timeouts watcher). The map and
 * set are concurrent and read without a lock; waiting uses the server's state lock, which
 * {@link LoopControl} shares.
 *
 * @param <Q> the request type
 */
final class RunningRequests<Q> {
    private static final System.Logger REQUEST_LOG = System.getLogger(Loggers.REQUEST);

    private final BaseServer<Q> server;
    private final RequestRunner runner;
    private final ReentrantLock stateLock;
    private final Condition requestEnded;
    /** The requests now running, each with the thread it runs in; never holds a finished request. */
    private final ConcurrentHashMap<Q, Thread> running = new ConcurrentHashMap<>();
    /** Requests whose connection the server closed ({@code shutdown(Duration)}, a timeout): their failure is expected, not an error. */
    private final Set<Q> aborted = ConcurrentHashMap.newKeySet();
    // volatile: written under stateLock, read without it by a completing request, which signals only if someone waits
    private volatile int requestWaiters;

    RunningRequests(BaseServer<Q> server, RequestRunner runner, ReentrantLock stateLock) {
        this.server = server;
        this.runner = runner;
        this.stateLock = stateLock;
        this.requestEnded = stateLock.newCondition();
    }

    /** The serving thread starts {@code request}, which runs in the calling thread until {@link #runsHere} says otherwise. */
    void add(Q request) {
        running.put(request, Thread.currentThread());
    }

    /** The request has moved to the calling thread (its own). */
    void runsHere(Q request) {
        running.replace(request, Thread.currentThread());
    }

    /** The requests running now. */
    Set<Q> requests() {
        return running.keySet();
    }

    int count() {
        return running.size();
    }

    /** Whether the server closed the request's connection itself, so that its failure is expected. */
    boolean endedByServer(Q request) {
        return aborted.contains(request);
    }

    /** Closes a running request's connection on the server's initiative; the handler's failure that follows is expected, not an error. */
    void end(Q request) {
        if (running.containsKey(request)) {
            aborted.add(request);
            server.abortRequest(request);
        }
    }

    /** Ends a request exactly once: shuts its connection down and frees its permit. */
    void complete(Q request) {
        if (running.remove(request) == null) {
            return;
        }
        aborted.remove(request);
        try {
            server.shutdownRequest(request);
        } catch (RuntimeException e) {
            REQUEST_LOG.log(Level.WARNING, "shutdownRequest failed", e);
        } finally {
            server.counters.closed.increment();
            runner.release();
            if (requestWaiters > 0) {
                stateLock.lock();
                try {
                    requestEnded.signalAll();
                } finally {
                    stateLock.unlock();
                }
            }
        }
    }

    /**
     * A drain's deadline has passed: ends every request still running (counted as cut) and, when
     * each runs in a thread of its own, interrupts that thread, unless it is {@code serving} or the caller.
     */
    void cutAll(Thread serving) {
        for (var entry : running.entrySet()) {
            server.counters.drainCuts.increment();
            end(entry.getKey());
            Thread thread = entry.getValue();
            if (runner.isThreaded() && thread != serving && thread != Thread.currentThread()) {
                thread.interrupt();   // for a handler blocked on something else than its connection: a sleep, a lock, a queue
            }
        }
    }

    /** Waits for running requests until the plan's deadline, looking for quiet connections to end as it goes. */
    boolean awaitDrained(DrainPlan plan) {
        server.stages().drainStarted();
        while (true) {
            long now = System.nanoTime();
            server.stages().drainLook(plan, now);
            if (await(plan.nextLookNanos(now))) {
                return true;
            }
            if (System.nanoTime() - plan.deadlineNanos() >= 0) {
                return false;
            }
        }
    }

    /** Waits until every running request other than the caller's own has finished, or the deadline passes. */
    boolean await(long deadlineNanos) {
        Thread me = Thread.currentThread();
        stateLock.lock();
        requestWaiters++;
        try {
            while (true) {
                boolean othersRunning = running.values().stream().anyMatch(t -> t != me);
                if (!othersRunning) {
                    return true;
                }
                long remaining = deadlineNanos == Long.MAX_VALUE ? TimeUnit.MILLISECONDS.toNanos(100) : deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                // bounded wait: a request that ends between the check and the wait still wakes us soon
                requestEnded.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return running.isEmpty();
        } finally {
            requestWaiters--;
            stateLock.unlock();
        }
    }
}
