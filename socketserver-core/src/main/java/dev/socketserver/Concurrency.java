package dev.socketserver;

import dev.socketserver.internal.RequestRunner;
import dev.socketserver.internal.WorkerProcess;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * <tr><td>{@link #workerProcesses(int, Concurrency)}</td><td>one of {@code n} worker JVMs sharing the listening socket, under an inner model</td><td>workers get SIGTERM and drain</td></tr>
 * </table>
 *
 * <p>Whatever the model, the server's bookkeeping holds only the requests that are running: it does
 * not grow with the number already served. To wait for running requests with a bound, use
 * {@link BaseServer#shutdown(java.time.Duration)}.
 */
public final class Concurrency {
    private enum Kind { SYNCHRONOUS, THREADS, VIRTUAL_THREADS, BOUNDED, PROCESS_PER_CONNECTION, WORKER_PROCESSES }

    /**
     * The environment variable that marks a worker of {@link #workerProcesses}: its value is the
     * worker's number, from 1. See {@link #isWorkerProcess()}.
     */
    public static final String WORKER_ENVIRONMENT_VARIABLE = "SOCKETSERVER_WORKER";

    /** How many children {@link #processPerConnection(List)} runs at once, as {@code tcpserver -c} and Python's {@code max_children}. */
    public static final int DEFAULT_MAX_CHILDREN = 40;

    /** How long a worker of {@link #workerProcesses} may go without its serving loop turning before it is replaced, as gunicorn's {@code timeout}. */
    public static final Duration DEFAULT_WORKER_TIMEOUT = Duration.ofSeconds(30);

    private final Kind kind;
    private final boolean daemonThreads;
    private final boolean blockOnClose;
    private final int limit;
    private final List<String> command;
    private final Concurrency inner;   // worker processes only: the model inside each worker
    private final Duration workerTimeout;   // worker processes only
    private final Map<String, String> environment;   // process per connection only: null inherits the server's

    private Concurrency(Kind kind, boolean daemonThreads, boolean blockOnClose, int limit) {
        this(kind, daemonThreads, blockOnClose, limit, List.of(), null, null, null);
    }

    private Concurrency(Kind kind, boolean daemonThreads, boolean blockOnClose, int limit, List<String> command, Concurrency inner,
                        Duration workerTimeout, Map<String, String> environment) {
        this.kind = kind;
        this.daemonThreads = daemonThreads;
        this.blockOnClose = blockOnClose;
        this.limit = limit;
        this.command = command;
        this.inner = inner;
        this.workerTimeout = workerTimeout;
        this.environment = environment;
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
     * <p>Each child inherits the server's whole environment, as with {@code tcpserver}; to give it
     * a clean one, use {@link #processPerConnection(List, int, Map)}.
     *
     * @param command the program and its arguments, found on {@code PATH}
     * @throws IllegalArgumentException if the command is empty or {@code maxChildren} is below 1
     */
    public static Concurrency processPerConnection(List<String> command, int maxChildren) {
        return processPerConnection(command, maxChildren, null);
    }

    /**
     * {@link #processPerConnection(List, int)} where each child's environment is {@code environment}
     * plus the ucspi variables, instead of the server's whole environment: secrets in the server's
     * environment stay out of the children. {@code null} inherits the server's environment.
     *
     * @param environment the variables every child gets (an empty map for none but the ucspi ones), or null
     * @throws IllegalArgumentException if the command is empty, {@code maxChildren} is below 1, or a
     *     name is empty or holds {@code '='}, or a name or value holds a NUL character
     */
    public static Concurrency processPerConnection(List<String> command, int maxChildren, Map<String, String> environment) {
        if (command == null || command.isEmpty()) {
            throw new IllegalArgumentException("a process per connection needs a command to run, such as List.of(\"cat\")");
        }
        if (maxChildren < 1) {
            throw new IllegalArgumentException("max children must be at least 1, got " + maxChildren);
        }
        Map<String, String> base = null;
        if (environment != null) {
            environment.forEach(Concurrency::checkVariable);
            base = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        }
        return new Concurrency(Kind.PROCESS_PER_CONNECTION, false, false, maxChildren, List.copyOf(command), null, null, base);
    }

    private static void checkVariable(String name, String value) {
        if (name == null || name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("environment variable name must be non-empty, without '=' or NUL: \"" + name + "\"");
        }
        if (value == null || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("value of environment variable " + name + " must be non-null and without NUL");
        }
    }

    /** {@link #processPerConnection(List, int)} with {@value #DEFAULT_MAX_CHILDREN} children at most. */
    public static Concurrency processPerConnection(List<String> command) {
        return processPerConnection(command, DEFAULT_MAX_CHILDREN);
    }

    /**
     * {@code workers} worker JVMs share the server's listening socket and accept from it in turn,
     * each running its requests under {@code inner}: the shape of Node's {@code cluster}, gunicorn
     * and nginx workers. A crash in one worker leaves the others serving. Stream servers only.
     *
     * <p><b>One program, two roles.</b> The process that constructs the server is the
     * <em>supervisor</em>: it binds the socket and, in {@link BaseServer#serveForever()}, starts
     * {@code workers} copies of its own command line (read from {@code /proc/self/cmdline}) with
     * the listening socket as their standard input and the environment variable
     * {@value #WORKER_ENVIRONMENT_VARIABLE} set to the worker's number (1 to {@code workers}). A worker
     * runs the same {@code main}; when it constructs the server, the server sees the variable,
     * adopts the inherited socket instead of binding (so port 0 works), and serves it with
     * {@code inner}. So a worker knows it is one by {@link #isWorkerProcess()}; code before the
     * server, such as printing a banner, runs in every worker too unless it checks. Datagram
     * servers do not take this model.
     *
     * <p><b>The supervisor</b> accepts nothing itself. It restarts a worker that exits while it
     * serves, after a delay that doubles, from 100 ms up to 30 s, while the worker keeps dying
     * within 10 s of its start (so a worker that crashes at once is not restarted in a tight
     * loop), and logs each exit at {@code WARNING}. {@link BaseServer#shutdown()} stops the
     * supervision and sends each worker {@code SIGTERM}; {@link BaseServer#shutdown(java.time.Duration)}
     * also waits up to the drain deadline for the workers to finish their requests and exit, then
     * kills those left with {@code SIGKILL}; {@link BaseServer#close()} does the same with a
     * deadline of 5 s. A supervisor stopped by {@code SIGTERM} without a signal handler of its own
     * drains its workers for up to 30 s from a shutdown hook; a supervisor whose JVM exits while
     * one of those drains runs kills the workers ({@code SIGKILL}) on its way out.
     *
     * <p><b>A worker that stops serving is replaced.</b> Each worker's serving loop turns at least
     * twice a second, and counts each turn in a little memory it shares with the supervisor (an
     * anonymous {@code memfd}, named nowhere, so nothing is left behind whatever dies). A worker
     * whose count stays still for {@code workerTimeout}, because it was
     * stopped ({@code SIGSTOP}), is stuck, or takes that long to start, gets {@code SIGKILL} and
     * a successor. With a synchronous inner model the loop waits for each request, so the timeout
     * also bounds every request, as gunicorn's {@code timeout} does for its sync workers.
     *
     * <p><b>A worker</b> stops accepting on {@code SIGTERM}, lets its running requests finish,
     * and exits; it does the same (for up to 30 s) the moment the supervisor dies, however it
     * dies: it sees end-of-file on a pipe inherited from the supervisor, a wait that needs no
     * descriptor, so a worker out of descriptors does not take its supervisor for dead. Besides
     * the socket on standard input, a worker inherits descriptors 3 (that pipe) and 4 (the
     * counters' memory), named in its environment. The supervisor's JVM needs native access
     * ({@code --enable-native-access}); options on its command line, such as a debugger agent's
     * port, are repeated in every worker.
     *
     * @param workers how many worker processes, at least 1
     * @param inner how each worker runs its requests; not a process model
     * @param workerTimeout how long a worker's serving loop may stand still before the worker is
     *     replaced; {@link #DEFAULT_WORKER_TIMEOUT} in the other overloads
     * @throws IllegalArgumentException if {@code workers} is below 1, {@code inner} is a process
     *     model, or the timeout is not positive
     */
    public static Concurrency workerProcesses(int workers, Concurrency inner, Duration workerTimeout) {
        Objects.requireNonNull(inner, "inner");
        Objects.requireNonNull(workerTimeout, "workerTimeout");
        if (workerTimeout.isNegative() || workerTimeout.isZero()) {
            throw new IllegalArgumentException("the worker timeout must be positive, got " + workerTimeout);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("worker processes need at least 1 worker, got " + workers);
        }
        if (inner.kind == Kind.PROCESS_PER_CONNECTION || inner.kind == Kind.WORKER_PROCESSES) {
            throw new IllegalArgumentException("a worker runs its requests in threads, not in processes: got " + inner);
        }
        return new Concurrency(Kind.WORKER_PROCESSES, inner.daemonThreads, inner.blockOnClose, workers, List.of(), inner, workerTimeout, null);
    }

    /** {@link #workerProcesses(int, Concurrency, Duration)} with the {@link #DEFAULT_WORKER_TIMEOUT}. */
    public static Concurrency workerProcesses(int workers, Concurrency inner) {
        return workerProcesses(workers, inner, DEFAULT_WORKER_TIMEOUT);
    }

    /** {@link #workerProcesses(int, Concurrency)} with virtual threads inside each worker. */
    public static Concurrency workerProcesses(int workers) {
        return workerProcesses(workers, virtualThreads());
    }

    /**
     * Whether this JVM is a worker started by a server with {@link #workerProcesses}: its
     * environment has {@value #WORKER_ENVIRONMENT_VARIABLE}.
     */
    public static boolean isWorkerProcess() {
        return WorkerProcess.isWorker();
    }

    /** The command of {@link #processPerConnection}, empty for the other models. */
    List<String> command() {
        return command;
    }

    /** The base environment of each child of {@link #processPerConnection}: the given one, or the server's. */
    Map<String, String> childEnvironment() {
        return environment != null ? environment : System.getenv();
    }

    boolean isProcessPerConnection() {
        return kind == Kind.PROCESS_PER_CONNECTION;
    }

    /**
     * Whether this is a {@link #workerProcesses} model: in the process that is not a worker
     * ({@link #isWorkerProcess()} false), the server supervises instead of serving.
     */
    public boolean isWorkerProcesses() {
        return kind == Kind.WORKER_PROCESSES;
    }

    /** How many workers {@link #workerProcesses} starts. */
    int workers() {
        return limit;
    }

    /** How long a worker may stand still before it is replaced. */
    Duration workerTimeout() {
        return workerTimeout;
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
            // the supervisor runs no request: its runner stays unused
            case WORKER_PROCESSES -> WorkerProcess.isWorker() ? inner.newRunner() : RequestRunner.detached(1);
        };
    }

    /** The model as the command line writes it: {@code sync}, {@code threads}, {@code virtual}, {@code bounded:N} or {@code workers:N}. */
    @Override
    public String toString() {
        return switch (kind) {
            case SYNCHRONOUS -> "sync";
            case THREADS -> "threads" + (daemonThreads ? "(daemon)" : "") + (blockOnClose ? "" : "(no block on close)");
            case VIRTUAL_THREADS -> "virtual";
            case BOUNDED -> "bounded:" + limit;
            case PROCESS_PER_CONNECTION -> "processes:" + limit + " " + command;
            case WORKER_PROCESSES -> "workers:" + limit + (inner.kind == Kind.VIRTUAL_THREADS ? "" : " of " + inner)
                    + (workerTimeout.equals(DEFAULT_WORKER_TIMEOUT) ? "" : " (timeout " + workerTimeout.toMillis() + " ms)");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Concurrency c && c.kind == kind && c.daemonThreads == daemonThreads
                && c.blockOnClose == blockOnClose && c.limit == limit && c.command.equals(command) && Objects.equals(c.inner, inner) && Objects.equals(c.workerTimeout, workerTimeout)
                && Objects.equals(c.environment, environment);
    }

    @Override
    public int hashCode() {
        return ((kind.hashCode() * 31 + limit) * 31 + (daemonThreads ? 1 : 0)) * 31 + (blockOnClose ? 1 : 0);
    }
}
