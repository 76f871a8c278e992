package dev.socketserver;

import dev.socketserver.internal.RequestRunner;

import java.util.List;

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
 * <tr><td>{@link #processPerConnection(List, int)}</td><td>a new process each, running a command on the socket</td><td>no; children get SIGTERM</td></tr>
 * </table>
 *
 * <p>Whatever the model, the server's bookkeeping holds only the requests that are running: it does
 * not grow with the number already served. To wait for running requests with a bound, use
 * {@link BaseServer#shutdown(java.time.Duration)}.
 */
public final class Concurrency {
    private enum Kind { SYNCHRONOUS, THREADS, VIRTUAL_THREADS, BOUNDED, PROCESS_PER_CONNECTION }

    /** How many children {@link #processPerConnection(List)} runs at once, as {@code tcpserver -c} and Python's {@code max_children}. */
    public static final int DEFAULT_MAX_CHILDREN = 40;

    private final Kind kind;
    private final boolean daemonThreads;
    private final boolean blockOnClose;
    private final int limit;
    private final List<String> command;

    private Concurrency(Kind kind, boolean daemonThreads, boolean blockOnClose, int limit) {
        this(kind, daemonThreads, blockOnClose, limit, List.of());
    }

    private Concurrency(Kind kind, boolean daemonThreads, boolean blockOnClose, int limit, List<String> command) {
        this.kind = kind;
        this.daemonThreads = daemonThreads;
        this.blockOnClose = blockOnClose;
        this.limit = limit;
        this.command = command;
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

    /**
     * Each connection is served by a new process running {@code command}, with the connected
     * socket as its standard input and output: the model of D. J. Bernstein's {@code tcpserver},
     * inetd and systemd's {@code Accept=yes}, and this library's answer to Python's
     * {@code ForkingMixIn}. A crash, a leak or an exit in one request cannot touch the others.
     * Stream servers only; the server's handler is not used.
     *
     * <p>At most {@code maxChildren} run at once; while that many run the server stops accepting,
     * so further clients wait in the backlog. Each child's environment follows ucspi-tcp:
     * {@code PROTO=TCP}, {@code TCPREMOTEIP}, {@code TCPREMOTEPORT}, {@code TCPLOCALIP},
     * {@code TCPLOCALPORT} ({@code PROTO=UNIX} and {@code UNIXLOCALPATH} on Unix sockets). Children
     * inherit no descriptor but the socket and standard error, are reaped as they exit (a non-zero
     * status is logged at {@code WARNING}), and get SIGTERM when the server closes, then SIGKILL
     * after the drain deadline. The JVM needs native access ({@code --enable-native-access}).
     *
     * @param command the program and its arguments, found on {@code PATH}
     * @throws IllegalArgumentException if the command is empty or {@code maxChildren} is below 1
     */
    public static Concurrency processPerConnection(List<String> command, int maxChildren) {
        if (command == null || command.isEmpty()) {
            throw new IllegalArgumentException("a process per connection needs a command to run, such as List.of(\"cat\")");
        }
        if (maxChildren < 1) {
            throw new IllegalArgumentException("max children must be at least 1, got " + maxChildren);
        }
        return new Concurrency(Kind.PROCESS_PER_CONNECTION, false, false, maxChildren, List.copyOf(command));
    }

    /** {@link #processPerConnection(List, int)} with {@value #DEFAULT_MAX_CHILDREN} children at most. */
    public static Concurrency processPerConnection(List<String> command) {
        return processPerConnection(command, DEFAULT_MAX_CHILDREN);
    }

    /** The command of {@link #processPerConnection}, empty for the other models. */
    List<String> command() {
        return command;
    }

    boolean isProcessPerConnection() {
        return kind == Kind.PROCESS_PER_CONNECTION;
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
            case PROCESS_PER_CONNECTION -> RequestRunner.detached(limit);
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
            case PROCESS_PER_CONNECTION -> "processes:" + limit + " " + command;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Concurrency c && c.kind == kind && c.daemonThreads == daemonThreads
                && c.blockOnClose == blockOnClose && c.limit == limit && c.command.equals(command);
    }

    @Override
    public int hashCode() {
        return ((kind.hashCode() * 31 + limit) * 31 + (daemonThreads ? 1 : 0)) * 31 + (blockOnClose ? 1 : 0);
    }
}
