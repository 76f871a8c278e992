package dev.socketserver.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Runs requests for a server: inline, or in a new thread each, optionally with a cap on how many
 * run at once. The serving thread takes a permit before it accepts, so a full server stops
 * accepting instead of accepting and waiting.
 */
public final class RequestRunner {
    private final ThreadFactory threads;   // null: run in the caller
    private final int limit;               // 0: no limit
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition permitFreed = lock.newCondition();
    private int inUse;                     // guarded by lock, used only when limit > 0

    private RequestRunner(ThreadFactory threads, int limit) {
        this.threads = threads;
        this.limit = limit;
    }

    public static RequestRunner inline() {
        return new RequestRunner(null, 0);
    }

    public static RequestRunner platformThreads(boolean daemon) {
        return new RequestRunner(Thread.ofPlatform().name("socketserver-request-", 1).daemon(daemon).factory(), 0);
    }

    public static RequestRunner virtualThreads(int limit) {
        return new RequestRunner(Thread.ofVirtual().name("socketserver-request-", 1).factory(), limit);
    }

    /**
     * Takes a permit to start one more request, waiting up to {@code timeoutNanos} (0: do not wait)
     * and giving up early when {@code stop} turns true after a {@link #wakeUp()}.
     */
    public boolean acquire(long timeoutNanos, BooleanSupplier stop) {
        if (limit == 0) {
            return true;
        }
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (inUse >= limit) {
                if (remaining <= 0 || stop.getAsBoolean()) {
                    return false;
                }
                try {
                    remaining = permitFreed.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            inUse++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Returns a permit taken by {@link #acquire}. */
    public void release() {
        if (limit == 0) {
            return;
        }
        lock.lock();
        try {
            inUse--;
            permitFreed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a thread waiting in {@link #acquire} so that it checks its stop condition. */
    public void wakeUp() {
        if (limit == 0) {
            return;
        }
        lock.lock();
        try {
            permitFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether requests run in the calling thread. */
    public boolean isInline() {
        return threads == null;
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

    /** How long {@link #acquire} should wait per round when the caller also polls something else. */
    public static long nanos(java.time.Duration d) {
        return d == null ? Long.MAX_VALUE : TimeUnit.NANOSECONDS.convert(d);
    }
}
