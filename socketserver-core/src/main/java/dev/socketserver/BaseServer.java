package dev.socketserver;

import dev.socketserver.LoopControl.LoopStop;
import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.DrainPlan;
import dev.socketserver.internal.JmxRegistration;
import dev.socketserver.internal.RequestRunner;
import dev.socketserver.internal.ServerCounters;

import javax.management.ObjectName;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * What every server shares: Python's {@code BaseServer} lifecycle and hooks, for requests of type
 * {@code Q} ({@link Connection} for stream servers, {@link Datagram} for datagram servers).
 *
 * <h2>Lifecycle</h2>
 * A server is created bound and listening, its {@link ServerOptions} in place before the bind
 * (Python's {@code bind_and_activate=False} is not needed, so not offered). Then one thread calls
 * {@link #serveForever()}, or {@link #handleRequest()} in a loop of its own. {@link #shutdown()}
 * from any thread stops the loop at once; {@link #close()} stops it and releases the socket;
 * {@link #shutdown(Duration)} stops accepting, lets running requests finish until a deadline, then
 * closes what is left. Python's pitfalls are fixed: {@code shutdown()} from inside a handler does
 * not deadlock, {@code shutdown()} on a server that is not serving returns at once and does not
 * stop a later {@code serveForever()}, and {@code close()} while serving stops the loop instead of
 * spinning.
 *
 * <h2>Threads</h2>
 * The serving thread waits for requests and accepts them. Where each request runs is the
 * server's {@link Concurrency}. The hooks {@link #verifyRequest} and {@link #processRequest} run
 * in the serving thread; {@link #finishRequest}, {@link #handleError} and {@link #shutdownRequest}
 * run in the request's thread.
 *
 * <h2>Errors</h2>
 * An {@link Exception} from a handler goes to {@link #handleError}, which logs Python's block at
 * {@code WARNING} through {@link System.Logger} (logger {@code dev.socketserver.request}), with the
 * exception attached to the record; the server keeps serving. A {@link java.lang.Error} is fatal: in the synchronous model it propagates out of
 * {@code serveForever()} or {@code handleRequest()}, in the thread models it goes to the thread's
 * uncaught-exception handler. Either way the connection is closed. An Error that ends
 * {@code serveForever()} (from a synchronous handler, a hook, or starting a request's thread)
 * fails the server as a whole: it closes its socket and running requests' connections before
 * {@code serveForever()} throws it, so that a process does not keep a port that serves nobody.
 *
 * <p>Subclass {@link TcpServer}, {@link UdpServer}, {@link UnixStreamServer} or their relatives to
 * override hooks; this class cannot be extended outside its package.
 *
 * @param <Q> the request type
 */
public abstract class BaseServer<Q> implements Server {
    private static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

    private final Supplier<? extends BaseRequestHandler<Q>> handlerFactory;
    private final Concurrency concurrency;
    private ServerOptions options = ServerOptions.defaults();   // set once, by the constructor
    private final RequestRunner runner;
    final ServerCounters counters = new ServerCounters();
    private final JmxRegistration jmx = new JmxRegistration();
    private final LoopControl control;
    private final RunningRequests<Q> running;
    private final RequestWalk<Q> walk;
    private final ServingLoop<Q> loop;
    private final CloseSequence<Q> closing;
    // volatile: set in any thread, read by handlers and the serving thread without a lock
    private volatile boolean draining;
    private volatile Duration timeout;

    BaseServer(Supplier<? extends BaseRequestHandler<Q>> handlerFactory, Concurrency concurrency) {
        this.handlerFactory = Objects.requireNonNull(handlerFactory, "handlerFactory");
        this.concurrency = Objects.requireNonNull(concurrency, "concurrency");
        this.runner = switch (concurrency) {
            case ThreadModel threads -> threads.newRunner();
            case ProcessModel processes -> processes.newRunner();
        };
        ReentrantLock stateLock = new ReentrantLock();   // one lock for the loop's state and the wait for running requests
        this.control = new LoopControl(this, runner, stateLock);
        this.running = new RunningRequests<>(this, runner, stateLock);
        this.walk = new RequestWalk<>(this, runner, running);
        this.loop = new ServingLoop<>(this, control, runner, walk);
        this.closing = new CloseSequence<>(this, control, running, jmx);
        // The first log record is often an accept error written when no descriptor is left, and a
        // formatter's first timestamp reads the time-zone database from a file: read it now.
        java.time.ZoneId.systemDefault();
    }

    /** Whether each request runs in a virtual thread of its own. */
    final boolean requestsRunOnVirtualThreads() {
        return runner.isVirtual();
    }

    // ---- what each kind of server supplies ------------------------------------------------------

    /** Waits up to {@code timeoutNanos} ({@code Long.MAX_VALUE}: no limit) until a request may be ready, or {@link #wakeUp()}. */
    abstract boolean awaitReady(long timeoutNanos) throws IOException;

    /** Makes {@link #awaitReady} return now. */
    abstract void wakeUp();

    /** Whether {@code serverActivate()} has run, so the loop may wait for requests. */
    abstract boolean isActivated();

    /** The client address of a request taken by {@link #getRequest()}. */
    abstract SocketAddress clientAddress(Q request);

    /** Closes the request's connection at once, to end a request that outlived a drain deadline. */
    abstract void abortRequest(Q request);

    /**
     * Takes one request without waiting: accepts a connection, or receives a datagram.
     *
     * @return the request, or {@code null} if none is ready
     */
    protected abstract Q getRequest() throws IOException;

    /** The address the server is bound to; after binding port 0, the port the system chose. */
    public abstract SocketAddress serverAddress();

    /** Binds the socket to {@link #serverAddress()}. Called once, by the constructor. */
    public abstract void serverBind() throws IOException;

    /** The address as the command line writes it, such as {@code tcp://127.0.0.1:9000} or {@code unix:/run/x.sock}. */
    @Override
    public abstract String serverUri();

    /** Makes the bound socket ready to serve. Called once, by the constructor. */
    public abstract void serverActivate() throws IOException;

    /**
     * Releases the server's socket (and, for Unix sockets, removes the socket file). Called once by
     * {@link #close()}; overriders call {@code super.serverClose()}.
     */
    protected abstract void serverClose() throws IOException;

    /**
     * The constructors' step with {@link ServerOptions}: applies them to the unbound server, then
     * binds and activates; closes the socket if any of it fails.
     */
    final void configureAndBind(ServerOptions options) throws IOException {
        try {
            this.options = Objects.requireNonNull(options, "options");
            applyOptions(options);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        bindAndActivate();
    }

    /** Applies what this kind of server honours of {@code options}, and refuses the rest. Before binding. */
    void applyOptions(ServerOptions options) throws IOException {
        setMaxConnections(options.maxConnections());
    }

    /** Python's constructor step: bind and activate, and close the socket if either fails (no descriptor leaks). */
    final void bindAndActivate() throws IOException {
        try {
            serverBind();
            serverActivate();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    // ---- options ------------------------------------------------------------------------------------

    /**
     * The options this server was built with. The settings that may change while serving
     * ({@link #setMaxConnections}, and the idle timeout of stream servers) are read from the server,
     * not from here.
     */
    @Override
    public final ServerOptions options() {
        return options;
    }

    /** The concurrency model given at construction. */
    public final Concurrency concurrency() {
        return concurrency;
    }

    /**
     * Sets how long {@link #handleRequest()} waits for a request before it calls
     * {@link #handleTimeout()} and returns. A timeout for the wait, not for the request; {@code null}
     * (the default) waits without limit. {@link #serveForever()} ignores it.
     */
    public final void setTimeout(Duration timeout) {
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
        }
        this.timeout = timeout;
    }

    /** The {@link #handleRequest()} timeout, or {@code null} for none. */
    public final Duration timeout() {
        return timeout;
    }

    // ---- serving ---------------------------------------------------------------------------------

    /** {@link #serveForever(Duration)} with Python's poll interval of 0.5 s. */
    @Override
    public final void serveForever() throws IOException {
        serveForever(DEFAULT_POLL_INTERVAL);
    }

    /**
     * Serves in the background: {@link #serveForever()} in a new platform thread named
     * {@code socketserver-serve}. A failure that ends it is logged and closes the server; a later
     * {@code serveForever()} waits for the background serving to end and reports that failure.
     *
     * @throws IllegalStateException if the server is closed, not activated, or already serving
     */
    @Override
    public final void start() {
        loop.startInBackground(DEFAULT_POLL_INTERVAL.toNanos());
    }

    /**
     * Serves requests until {@link #shutdown()} or {@link #close()}. The poll interval only sets
     * how often {@link #serviceActions()} runs while idle: shutdown is immediate. On a server
     * {@linkplain #start() started} in the background, waits for that serving to end instead. An
     * interrupt of the serving (or waiting) thread closes the server, and this returns with the
     * interrupt status set.
     *
     * @throws IllegalStateException if the server is closed, not activated, or already serving
     * @throws IOException if the server's socket fails for good (a transient accept error such as
     *     too many open files is logged and retried with a backoff instead)
     * @throws Error an {@link Error} in the serving thread (from a synchronous handler, a hook, or
     *     starting a request's thread): the server has closed its socket and running requests'
     *     connections first, as {@code shutdown(Duration.ZERO)} does, so that it does not listen on
     *     while serving nobody
     */
    public final void serveForever(Duration pollInterval) throws IOException {
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive, got " + pollInterval);
        }
        if (control.awaitBackground()) {
            return;
        }
        loop.serve(pollInterval.toNanos());
    }

    /**
     * Waits for one request, up to {@link #timeout()}, and handles it. If none arrives in time,
     * calls {@link #handleTimeout()} and returns. The timeout bounds the wait, not the request. In
     * the synchronous model the request has finished when this returns; in the others it runs on.
     *
     * @throws IllegalStateException if the server is closed, not activated, or serving in another thread
     */
    public final void handleRequest() throws IOException {
        if (stages().supervisesWorkers()) {
            throw new IllegalStateException("the supervisor of worker processes takes no request itself: call serveForever(), which runs the workers");
        }
        loop.handleOne(timeout);
    }

    // ---- what a kind of server adds to a request's walk and to the loop ----------------------------

    /** What this kind of server adds around its requests; see {@link RequestStages}. */
    abstract RequestStages<Q> stages();

    /** A request started by {@link RequestStages#startDetached} is over: shut it down and free its permit. Any thread. */
    final void detachedRequestEnded(Q request) {
        running.complete(request);
    }

    /** The requests running now, for timeouts that watch them. */
    final Set<Q> runningRequests() {
        return running.requests();
    }

    /** Closes a running request's connection on the server's initiative; the handler's failure that follows is expected, not an error. */
    final void endRequest(Q request) {
        running.end(request);
    }

    // ---- hooks -----------------------------------------------------------------------------------

    /**
     * Decides whether to serve a request; {@code false} closes it unserved. Runs in the serving
     * thread, so it should be quick. The default accepts everything.
     */
    protected boolean verifyRequest(Q request, SocketAddress clientAddress) throws Exception {
        return true;
    }

    /**
     * Starts a request where the server's {@link Concurrency} says: inline, or in a new thread.
     * Runs in the serving thread. An override that runs the request itself must call
     * {@link #finishRequest} and then {@link #shutdownRequest}.
     */
    protected void processRequest(Q request, SocketAddress clientAddress) throws Exception {
        if (runner.isDetached()) {
            stages().startDetached(request, clientAddress);
            return;
        }
        runner.execute(() -> walk.run(request, clientAddress));
    }

    /** Serves a request: creates a handler with the factory and runs its {@code setup}, {@code handle} and {@code finish}. */
    protected void finishRequest(Q request, SocketAddress clientAddress) throws Exception {
        BaseRequestHandler<Q> handler = handlerFactory.get();
        if (handler == null) {
            throw new IllegalStateException("the handler factory returned null");
        }
        handler.run(request, clientAddress, this);
    }

    /** Ends a request after it was served or refused; by default calls {@link #closeRequest}. Called exactly once per request. */
    protected void shutdownRequest(Q request) {
        closeRequest(request);
    }

    /** Releases what a request holds. */
    protected void closeRequest(Q request) {
    }

    /**
     * Reports an exception from a request. The default logs Python's block at {@code WARNING} on
     * {@code dev.socketserver.request}: a line of 40 dashes,
     * {@code Exception occurred during processing of request from <address>}, and 40 dashes, with
     * {@code error} handed to the logger as the record's {@code Throwable}, so that the logging
     * back end prints its stack trace (after the block) and structured encoders and error trackers
     * get the exception itself. A client that went away (a connection reset, a broken pipe,
     * or a datagram sender no longer there to take its reply) is not the server's error: that gets
     * one line at {@code TRACE} instead; a {@link FrameTooLongException} (a peer that sent a frame
     * over the handler's limit) one line at {@code DEBUG}, and it is not counted in
     * {@link ServerStats#handlerErrors()}. The server keeps serving whatever this does.
     */
    protected void handleError(Q request, SocketAddress clientAddress, Throwable error) {
        RequestWalk.logError(clientAddress, error);
    }

    /** Called by {@link #handleRequest()} when its timeout passes with no request. Does nothing by default. */
    protected void handleTimeout() {
    }

    /**
     * Called by {@link #serveForever} once per loop: after each batch of requests, and about once
     * per poll interval while idle. Runs in the serving thread. Does nothing by default.
     */
    protected void serviceActions() {
    }

    // ---- stopping --------------------------------------------------------------------------------

    /**
     * Stops {@link #serveForever} (or a waiting {@link #handleRequest}) and returns when the loop
     * has ended; it does not wait for running requests. Returns at once when no loop runs, and then
     * has no effect on a later {@code serveForever()}. Called from a handler running in the serving
     * thread (the synchronous model), it returns at once and the loop ends when that handler returns.
     * The listening socket stays open until {@link #close()}: use {@link #shutdown(Duration)} to
     * stop accepting and close in one step.
     */
    public void shutdown() {
        LoopStop stop = control.requestStop();
        if (stop != null) {
            control.awaitEnd(stop, Long.MAX_VALUE);
        }
    }

    /**
     * Drains and closes: stops accepting (the listening socket closes, so new clients are refused),
     * waits up to {@code drain} for running requests to finish, then closes the connections of those
     * still running, interrupts their threads (in the models with a thread per request), and closes
     * the server. {@link #isDraining()} is true from the start.
     *
     * <p>Stream servers end each connection at a quiet point during the drain: when its handler
     * waits for input, none has arrived, and it has written since it last read (or has read
     * nothing), its read returns end of stream, as if the client had closed, and no reply to a
     * request the server read is lost. A connection quiet for two seconds ends then; in the last half
     * second of the drain (or its second half, if shorter) every connection ends at its next quiet
     * point, so clients that send requests back to back end between two of them; only what is
     * still busy at the deadline is cut. The statistics count both
     * ({@link ServerStats#drainQuietCloses()}, {@link ServerStats#drainCuts()}).
     *
     * @param drain the deadline for running requests, counted from the call
     * @return whether every request finished before the deadline
     */
    public boolean shutdown(Duration drain) {
        Objects.requireNonNull(drain, "drain");
        DrainPlan plan = new DrainPlan(System.nanoTime(), drain);
        draining = true;
        return closing.drain(plan);
    }

    /**
     * Whether the server is draining: {@link #shutdown(Duration)} was called and running requests
     * are being given time to finish. A long-lived handler can check it to say goodbye.
     */
    public final boolean isDraining() {
        return draining;
    }

    /**
     * Stops the loop, closes the server's socket ({@link #serverClose()}), and then, if the
     * concurrency model says so ({@link Concurrency#threads()} by default), waits for running
     * requests. It never closes running requests' connections: {@link #shutdown(Duration)} does.
     * Idempotent; safe to call from a handler.
     */
    @Override
    public void close() {
        closing.close();
    }

    /** Whether {@link #close()} or {@link #shutdown(Duration)} was called. */
    public final boolean isClosed() {
        return control.isClosed();
    }

    /** The server's counters: requests, bytes, errors. */
    public final ServerStats stats() {
        return counters.snapshot(running.count(), counters.bytesIn.sum(), counters.bytesOut.sum());
    }

    /**
     * Publishes {@link #stats()} over JMX as {@code dev.socketserver:type=Server,name=<name>}, one
     * read-only attribute per field ({@code ActiveRequests}, {@code BytesIn}, ...), until the server
     * is closed.
     *
     * @return the name it was registered under
     * @throws IllegalArgumentException if the name is not usable in an object name or is taken
     */
    public final ObjectName registerJmx(String name) {
        return jmx.register(name, ServerStats.class, this::stats, "statistics of " + this);
    }

    /**
     * Caps how many requests run at once (for stream servers: open connections), on top of the
     * concurrency model's own cap; 0, the default, means no cap. When the cap is reached the
     * server stops accepting, so further clients wait in the kernel's backlog: they are neither
     * accepted and dropped nor refused. May be changed at any time; takes effect at once.
     */
    public final void setMaxConnections(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max connections must be 0 (no limit) or more, got " + max);
        }
        runner.setMaxConnections(max);
    }

    /** The cap set by {@link #setMaxConnections(int)}, 0 for none. */
    public final int maxConnections() {
        return runner.maxConnections();
    }

    /** The number of requests running now: open connections, or datagrams being handled. */
    @Override
    public final int activeRequests() {
        return running.count();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + Addresses.format(serverAddress()) + ", " + concurrency + "]";
    }
}
