package dev.socketserver;

import dev.socketserver.internal.WorkerProcess;

import java.time.Duration;
import java.util.List;
import java.util.Map;

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
 * <tr><td>{@link #workerProcesses(int, ThreadModel)}</td><td>one of {@code n} worker JVMs sharing the listening socket, under an inner model</td><td>workers get SIGTERM and drain</td></tr>
 * </table>
 *
 * <p>The first four are {@link ThreadModel}s, which every server takes. The last two are
 * {@link ProcessModel}s, which only stream servers ({@link TcpServer}, {@link UnixStreamServer})
 * take: a datagram has no connection to hand to another process, so a datagram server's
 * constructor accepts a {@code ThreadModel} only, and the wrong pairing does not compile.
 *
 * <p>Whatever the model, the server's bookkeeping holds only the requests that are running: it does
 * not grow with the number already served. To wait for running requests with a bound, use
 * {@link BaseServer#shutdown(java.time.Duration)}.
 */
public sealed interface Concurrency permits ThreadModel, ProcessModel {
    /**
     * The environment variable that marks a worker of {@link #workerProcesses}: its value is the
     * worker's number, from 1. See {@link #isWorkerProcess()}.
     */
    String WORKER_ENVIRONMENT_VARIABLE = WorkerProcess.NUMBER_VARIABLE;

    /** How many children {@link #processPerConnection(List)} runs at once, as {@code tcpserver -c} and Python's {@code max_children}. */
    int DEFAULT_MAX_CHILDREN = 40;

    /** How long a worker of {@link #workerProcesses} may go without its serving loop turning before it is replaced, as gunicorn's {@code timeout}. */
    Duration DEFAULT_WORKER_TIMEOUT = Duration.ofSeconds(30);

    /** Each request runs in the serving thread; the next is accepted when it returns. */
    static ThreadModel synchronous() {
        return ThreadModel.SYNCHRONOUS;
    }

    /**
     * Each request runs in a new platform thread, with Python's defaults: non-daemon threads, and
     * {@code close()} waits for running requests.
     */
    static ThreadModel threads() {
        return threads(false, true);
    }

    /**
     * Each request runs in a new platform thread.
     *
     * @param daemonThreads whether request threads are daemon threads (they do not keep the JVM
     *     alive); {@code close()} never waits for daemon threads
     * @param blockOnClose whether {@code close()} waits for running non-daemon requests
     */
    static ThreadModel threads(boolean daemonThreads, boolean blockOnClose) {
        return ThreadModel.platformThreads(daemonThreads, blockOnClose);
    }

    /** Each request runs in a new virtual thread. The default model of every server. */
    static ThreadModel virtualThreads() {
        return ThreadModel.VIRTUAL_THREADS;
    }

    /**
     * Each request runs in a new virtual thread, at most {@code maxRequests} at once. While that
     * many run, the server stops accepting: further clients wait in the kernel's backlog (they are
     * neither refused nor dropped), and datagrams wait in the socket's receive buffer.
     *
     * @throws IllegalArgumentException if {@code maxRequests} is less than 1
     */
    static ThreadModel bounded(int maxRequests) {
        return ThreadModel.bounded(maxRequests);
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
    static ProcessModel processPerConnection(List<String> command, int maxChildren) {
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
    static ProcessModel processPerConnection(List<String> command, int maxChildren, Map<String, String> environment) {
        return ProcessModel.perConnection(command, maxChildren, environment);
    }

    /** {@link #processPerConnection(List, int)} with {@value #DEFAULT_MAX_CHILDREN} children at most. */
    static ProcessModel processPerConnection(List<String> command) {
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
     * @param inner how each worker runs its requests
     * @param workerTimeout how long a worker's serving loop may stand still before the worker is
     *     replaced; {@link #DEFAULT_WORKER_TIMEOUT} in the other overloads
     * @throws IllegalArgumentException if {@code workers} is below 1 or the timeout is not positive
     */
    static ProcessModel workerProcesses(int workers, ThreadModel inner, Duration workerTimeout) {
        return ProcessModel.workers(workers, inner, workerTimeout);
    }

    /** {@link #workerProcesses(int, ThreadModel, Duration)} with the {@link #DEFAULT_WORKER_TIMEOUT}. */
    static ProcessModel workerProcesses(int workers, ThreadModel inner) {
        return workerProcesses(workers, inner, DEFAULT_WORKER_TIMEOUT);
    }

    /** {@link #workerProcesses(int, ThreadModel)} with virtual threads inside each worker. */
    static ProcessModel workerProcesses(int workers) {
        return workerProcesses(workers, virtualThreads());
    }

    /**
     * Whether this JVM is a worker started by a server with {@link #workerProcesses}: its
     * environment has {@value #WORKER_ENVIRONMENT_VARIABLE}.
     */
    static boolean isWorkerProcess() {
        return WorkerProcess.isWorker();
    }

    /**
     * Whether this is a {@link #workerProcesses} model: in the process that is not a worker
     * ({@link #isWorkerProcess()} false), the server supervises instead of serving.
     */
    default boolean isWorkerProcesses() {
        return this instanceof ProcessModel p && p.workers() > 0;
    }
}
