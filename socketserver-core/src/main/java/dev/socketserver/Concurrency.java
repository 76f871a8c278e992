package dev.socketserver;

import dev.socketserver.internal.RequestRunner;

/**
 * Where a server runs each request: Python's mixins ({@code ThreadingMixIn} and friends) as a
 * value passed to the server's constructor.
 *
 * <table class="striped">
 * <caption>Concurrency models</caption>
 * <tr><th>model</th><th>where a request runs</th><th>{@code close()} waits for running requests</th></tr>
 * <tr><td>{@link #synchronous()}</td><td>the serving thread, one at a time (Python's default)</td><td>n/a</td></tr>
 * <tr><td>{@link #threads()}</td><td>a new platform thread each ({@code ThreadingMixIn})</td><td>yes, by default</td></tr>
 * <tr><td>{@link #virtualThreads()}</td><td>a new virtual thread each; the default</td><td>no</td></tr>
 * <tr><td>{@link #bounded(int)}</td><td>a virtual thread each, at most {@code n} at once</td><td>no</td></tr>
 * </table>
 *
 * <p>Whatever the model, the server's bookkeeping holds only the requests that are running: it does
 * not grow with the number already served. To wait for running requests with a bound, use
 * {@link BaseServer#shutdown(java.time.Duration)}.
 */
public final class Concurrency {
    private enum Kind { SYNCHRONOUS, THREADS, VIRTUAL_THREADS, BOUNDED }

    private final Kind kind;
    private final boolean daemonThreads;
    private final boolean blockOnClose;
    private final int limit;

    private Concurrency(Kind kind, boolean daemonThreads, boolean blockOnClose, int limit) {
        this.kind = kind;
        this.daemonThreads = daemonThreads;
        this.blockOnClose = blockOnClose;
        this.limit = limit;
    }

    /** Each request runs in the serving thread; the next is accepted when it returns. */
    public static Concurrency synchronous() {
        return new Concurrency(Kind.SYNCHRONOUS, false, false, 0);
    }

    /**
     * Each request runs in a new platform thread, with Python's defaults: non-daemon threads, and
     * {@code close()} waits for running requests.
     */
    public static Concurrency threads() {
        return threads(false, true);
    }

    /**
     * Each request runs in a new platform thread.
     *
     * @param daemonThreads whether request threads are daemon threads (they do not keep the JVM
     *     alive); {@code close()} never waits for daemon threads
     * @param blockOnClose whether {@code close()} waits for running non-daemon requests
     */
    public static Concurrency threads(boolean daemonThreads, boolean blockOnClose) {
        return new Concurrency(Kind.THREADS, daemonThreads, blockOnClose, 0);
    }

    /** Each request runs in a new virtual thread. The default model of every server. */
    public static Concurrency virtualThreads() {
        return new Concurrency(Kind.VIRTUAL_THREADS, true, false, 0);
    }

    /**
     * Each request runs in a new virtual thread, at most {@code maxRequests} at once. While that
     * many run, the server stops accepting: further clients wait in the kernel's backlog (they are
     * neither refused nor dropped), and datagrams wait in the socket's receive buffer.
     *
     * @throws IllegalArgumentException if {@code maxRequests} is less than 1
     */
    public static Concurrency bounded(int maxRequests) {
        if (maxRequests < 1) {
            throw new IllegalArgumentException("bounded concurrency needs at least 1 request at a time, got " + maxRequests);
        }
        return new Concurrency(Kind.BOUNDED, true, false, maxRequests);
    }

    /** Whether {@code close()} waits for running requests. */
    boolean blockOnClose() {
        return blockOnClose && !daemonThreads;
    }

    RequestRunner newRunner() {
        return switch (kind) {
            case SYNCHRONOUS -> RequestRunner.inline();
            case THREADS -> RequestRunner.platformThreads(daemonThreads);
            case VIRTUAL_THREADS -> RequestRunner.virtualThreads(0);
            case BOUNDED -> RequestRunner.virtualThreads(limit);
        };
    }

    /** The model as the command line writes it: {@code sync}, {@code threads}, {@code virtual} or {@code bounded:N}. */
    @Override
    public String toString() {
        return switch (kind) {
            case SYNCHRONOUS -> "sync";
            case THREADS -> "threads" + (daemonThreads ? "(daemon)" : "") + (blockOnClose ? "" : "(no block on close)");
            case VIRTUAL_THREADS -> "virtual";
            case BOUNDED -> "bounded:" + limit;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Concurrency c && c.kind == kind && c.daemonThreads == daemonThreads
                && c.blockOnClose == blockOnClose && c.limit == limit;
    }

    @Override
    public int hashCode() {
        return ((kind.hashCode() * 31 + limit) * 31 + (daemonThreads ? 1 : 0)) * 31 + (blockOnClose ? 1 : 0);
    }
}
