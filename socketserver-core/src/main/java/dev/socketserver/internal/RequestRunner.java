package dev.socketserver.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Runs requests for a server: inline, or in a new thread each, optionally with a cap on how many
 * run at once. The serving thread takes a permit before it accepts, so a full server stops
 * accepting instead of accepting and waiting.
 */
public final class RequestRunner {
    private final ThreadFactory threads;   // null: run in the caller, unless detached
    private final boolean detached;        // requests run elsewhere (a child process) and end on their own
    private final boolean virtual;         // each request runs in a virtual thread
    private final int modelLimit;          // from the concurrency model; 0: no limit
    private final AtomicInteger inUse = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition permitFreed = lock.newCondition();
    // volatile: changed at run time by setMaxConnections, read by the serving thread without the lock
    private volatile int limit;            // the smaller of the model's limit and maxConnections; 0: none
    private volatile int maxConnections;
    private volatile int waiters;          // written under lock

    private RequestRunner(ThreadFactory threads, int limit) {
        this(threads, limit, false, false);
    }

    private RequestRunner(ThreadFactory threads, int limit, boolean detached, boolean virtual) {
        this.detached = detached;
        this.threads = threads;
        this.virtual = virtual;
        this.modelLimit = limit;
        this.limit = limit;
    }

    public static RequestRunner inline() {
        return new RequestRunner(null, 0);
    }

    public static RequestRunner platformThreads(boolean daemon) {
        return new RequestRunner(Thread.ofPlatform().name("socketserver-request-", 1).daemon(daemon).factory(), 0);
    }

    public static RequestRunner virtualThreads(int limit) {
        VirtualThreadIo.start();
        return new RequestRunner(Thread.ofVirtual().name("socketserver-request-", 1).factory(), limit, false, true);
    }

    /** Requests that the server starts elsewhere (a child process) and that end on their own; at most {@code limit} at once. */
    public static RequestRunner detached(int limit) {
        return new RequestRunner(null, limit, true, false);
    }

    /** Whether requests run outside this JVM's threads and end on their own. */
    public boolean isDetached() {
        return detached;
    }

    /** Caps the requests running at once on top of the model's own cap; 0 removes the cap. Takes effect at once. */
    public void setMaxConnections(int max) {
        maxConnections = max;
        int combined = modelLimit == 0 ? max : max == 0 ? modelLimit : Math.min(modelLimit, max);
        limit = combined;
        lock.lock();
        try {
            permitFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Takes a permit to start one more request, waiting up to {@code timeoutNanos} (0: do not wait)
     * and giving up early when {@code stop} turns true after a {@link #wakeUp()}.
     */
    public boolean acquire(long timeoutNanos, BooleanSupplier stop) {
        while (true) {
            int cap = limit;
            int current = inUse.get();
            if (cap == 0 || current < cap) {
                if (inUse.compareAndSet(current, current + 1)) {
                    return true;
                }
                continue;
            }
            if (!awaitPermit(timeoutNanos, stop)) {
                return false;
            }
        }
    }

    /** Waits until a permit may be free; false on timeout or stop. */
    private boolean awaitPermit(long timeoutNanos, BooleanSupplier stop) {
        lock.lock();
        waiters++;
        try {
            long remaining = timeoutNanos;
            while (limit != 0 && inUse.get() >= limit) {
                if (remaining <= 0 || stop.getAsBoolean()) {
                    return false;
                }
                remaining = permitFreed.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            waiters--;
            lock.unlock();
        }
    }

    /** Returns a permit taken by {@link #acquire}. */
    public void release() {
        inUse.decrementAndGet();
        if (waiters > 0) {
            lock.lock();
            try {
                permitFreed.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Wakes a thread waiting in {@link #acquire} so that it checks its stop condition. */
    public void wakeUp() {
        lock.lock();
        try {
            permitFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether each request runs in a thread of its own, started by {@link #execute}. */
    public boolean isThreaded() {
        return threads != null;
    }

    /** Whether each request runs in a virtual thread of its own. */
    public boolean isVirtual() {
        return virtual;
    }

    /** Whether requests run in the calling thread. */
    public boolean isInline() {
        return threads == null && !detached;
    }

    /** Runs {@code request} now in this thread, or starts it in a new thread. */
    public void execute(Runnable request) {
        if (threads == null) {
            request.run();
        } else {
            Thread thread = threads.newThread(request);
            thread.start();
        }
    }
}
