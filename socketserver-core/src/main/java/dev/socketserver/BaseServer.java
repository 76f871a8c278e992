package dev.socketserver;

import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.DrainPlan;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.RateLimitedLog;
import dev.socketserver.internal.RequestRunner;
import dev.socketserver.internal.ServerCounters;
import dev.socketserver.internal.StatsMBean;

import javax.management.JMException;
import javax.management.ObjectName;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
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
    private static final System.Logger LOG = System.getLogger(Loggers.SERVER);
    private static final System.Logger ACCEPT_LOG = System.getLogger(Loggers.ACCEPT);
    private static final System.Logger REQUEST_LOG = System.getLogger(Loggers.REQUEST);
    private static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
    private static final int MAX_ACCEPTS_PER_WAKEUP = 64;
    private static final long MAX_ACCEPT_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long {@link #close()} gives child processes to exit after {@code SIGTERM}. */
    private static final Duration CLOSE_CHILDREN_DEADLINE = Duration.ofSeconds(5);

    private final Supplier<? extends BaseRequestHandler<Q>> handlerFactory;
    private final Concurrency concurrency;
    private ServerOptions options = ServerOptions.defaults();   // set once, by the constructor
    private final RequestRunner runner;
    final ServerCounters counters = new ServerCounters();
    // volatile: set by start(), read by serveForever() in any thread
    private volatile CompletableFuture<Void> background;

    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition loopEnded = stateLock.newCondition();
    private final Condition stopSignal = stateLock.newCondition();
    private final Condition requestEnded = stateLock.newCondition();
    private Thread servingThread;               // guarded by stateLock
    private long loopGeneration;                // guarded by stateLock
    // volatile: the serving loop reads these between waits without taking the lock
    private volatile boolean stopRequested;
    private volatile boolean closed;
    private volatile boolean draining;
    private volatile Duration timeout;
    private volatile int requestWaiters;

    /** The requests now running, each with the thread it runs in; never holds a finished request. */
    private final ConcurrentHashMap<Q, Thread> running = new ConcurrentHashMap<>();
    /** Requests whose connection {@link #shutdown(Duration)} closed: their failure is expected, not an error. */
    private final Set<Q> aborted = ConcurrentHashMap.newKeySet();
    private final RateLimitedLog acceptErrorLog = new RateLimitedLog(ACCEPT_LOG, Duration.ofSeconds(1));
    private volatile ObjectName jmxName;

    BaseServer(Supplier<? extends BaseRequestHandler<Q>> handlerFactory, Concurrency concurrency) {
        this.handlerFactory = Objects.requireNonNull(handlerFactory, "handlerFactory");
        this.concurrency = Objects.requireNonNull(concurrency, "concurrency");
        this.runner = switch (concurrency) {
            case ThreadModel threads -> threads.newRunner();
            case ProcessModel processes -> processes.newRunner();
        };
        // The first log record is often an accept error written when no descriptor is left, and a
        // formatter's first timestamp reads the time-zone database from a file: read it now.
        java.time.ZoneId.systemDefault();
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
        CompletableFuture<Void> served = new CompletableFuture<>();
        stateLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("server is closed");
            }
            if (!isActivated()) {
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
        Thread.ofPlatform().name("socketserver-serve").start(() -> {
            try {
                serveOrFail(DEFAULT_POLL_INTERVAL.toNanos());
                served.complete(null);
            } catch (Throwable t) {
                try {
                    LOG.log(Level.ERROR, "serving " + serverUri() + " in the background failed; closing the server", t);
                    close();
                } finally {
                    served.completeExceptionally(t);
                }
            }
        });
    }

    /** Waits for the serving {@link #start()} began; true if there was one (its failure rethrown), false if none. */
    private boolean awaitBackground() throws IOException {
        CompletableFuture<Void> running = background;
        if (running == null) {
            return false;
        }
        try {
            running.get();
        } catch (InterruptedException e) {
            close();
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
        if (awaitBackground()) {
            return;
        }
        serveOrFail(pollInterval.toNanos());
    }

    private void serveOrFail(long pollNanos) throws IOException {
        try {
            serveLoop(pollNanos);
            if (Thread.currentThread().isInterrupted()) {
                close();   // Server's contract: an interrupt of the serving thread stops the server
            }
        } catch (Error e) {
            closeAfterFatal(e);
            throw e;
        }
    }

    /** An Error ended the serving loop: the server fails as a whole, listener and connections closed. */
    private void closeAfterFatal(Error e) {
        try {
            LOG.log(Level.ERROR, "serving " + Addresses.format(serverAddress()) + " failed; closing the server", e);
        } catch (Throwable loggingFailed) {
            // out of memory again, say: closing matters more
        }
        try {
            shutdown(Duration.ZERO);
        } catch (Throwable closingFailed) {
            e.addSuppressed(closingFailed);
        }
    }

    private void serveLoop(long pollNanos) throws IOException {
        enterLoop();
        if (supervisesWorkers()) {
            try {
                superviseWorkers(this::isStopRequested, pollNanos, this::serviceActions);
            } finally {
                leaveLoop();
            }
            return;
        }
        boolean permit = false;
        long backoff = 0;
        try {
            while (!stopRequested && !Thread.currentThread().isInterrupted()) {
                loopTurned();
                if (!permit) {
                    permit = runner.acquire(pollNanos, this::isStopRequested);
                }
                if (permit && !stopRequested) {
                    boolean ready = awaitReady(pollNanos);
                    if (stopRequested) {
                        break;
                    }
                    if (ready) {
                        permit = false;
                        if (acceptReady()) {
                            backoff = 0;
                        } else {
                            backoff = backoff == 0 ? TimeUnit.MILLISECONDS.toNanos(5) : Math.min(backoff * 2, MAX_ACCEPT_BACKOFF_NANOS);
                            awaitStop(backoff);
                        }
                    }
                }
                if (!stopRequested) {
                    serviceActions();
                }
            }
        } catch (ClosedSelectorException | ClosedChannelException e) {
            if (!closed) {
                throw e instanceof IOException io ? io : new ClosedChannelException();
            }
        } finally {
            if (permit) {
                runner.release();
            }
            leaveLoop();
        }
    }

    /**
     * Takes the requests that are ready, as many as there are permits, up to a batch. Called
     * holding one permit, which it always gives up: to a request, or back to the runner.
     *
     * @return false if taking a request failed with a transient error (the caller backs off)
     */
    private boolean acceptReady() throws IOException {
        boolean permit = true;
        try {
            for (int i = 0; i < MAX_ACCEPTS_PER_WAKEUP && !stopRequested; i++) {
                if (!permit && !(permit = runner.acquire(0, this::isStopRequested))) {
                    break;
                }
                Q request;
                try {
                    request = getRequest();
                } catch (ClosedChannelException e) {
                    throw e;
                } catch (IOException e) {
                    logAcceptError(e);
                    return false;
                }
                if (request == null) {
                    break;
                }
                permit = false;
                handleOne(request);
                if (runner.isInline()) {
                    break;   // as in Python, a synchronous server takes one request per wakeup
                }
            }
            return true;
        } finally {
            if (permit) {
                runner.release();
            }
        }
    }

    /**
     * Waits for one request, up to {@link #timeout()}, and handles it. If none arrives in time,
     * calls {@link #handleTimeout()} and returns. The timeout bounds the wait, not the request. In
     * the synchronous model the request has finished when this returns; in the others it runs on.
     *
     * @throws IllegalStateException if the server is closed, not activated, or serving in another thread
     */
    public final void handleRequest() throws IOException {
        if (supervisesWorkers()) {
            throw new IllegalStateException("the supervisor of worker processes takes no request itself: call serveForever(), which runs the workers");
        }
        Duration wait = timeout;
        long deadline = wait == null ? 0 : System.nanoTime() + wait.toNanos();
        enterLoop();
        boolean permit = false;
        try {
            while (!stopRequested && !Thread.currentThread().isInterrupted()) {
                loopTurned();
                long remaining = wait == null ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (remaining <= 0) {
                    handleTimeout();
                    return;
                }
                if (!permit) {
                    permit = runner.acquire(remaining, this::isStopRequested);
                    continue;
                }
                if (awaitReady(remaining) && !stopRequested) {
                    Q request = getRequest();
                    if (request != null) {
                        permit = false;
                        handleOne(request);
                        return;
                    }
                }
            }
        } catch (ClosedSelectorException | ClosedChannelException e) {
            if (!closed) {
                throw e instanceof IOException io ? io : new ClosedChannelException();
            }
        } finally {
            if (permit) {
                runner.release();
            }
            leaveLoop();
        }
    }

    private boolean isStopRequested() {
        return stopRequested;
    }

    private void enterLoop() {
        stateLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("server is closed");
            }
            if (servingThread != null) {
                throw new IllegalStateException("server is already serving in thread " + servingThread.getName());
            }
            if (!isActivated()) {
                throw new IllegalStateException("server is not activated: call serverBind() and serverActivate() first");
            }
            servingThread = Thread.currentThread();
            loopGeneration++;
            stopRequested = false;
        } finally {
            stateLock.unlock();
        }
    }

    private void leaveLoop() {
        stateLock.lock();
        try {
            servingThread = null;
            stopRequested = false;
            loopEnded.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    private void awaitStop(long nanos) {
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

    private void logAcceptError(IOException e) {
        counters.acceptErrors.increment();
        acceptErrorLog.log(Level.WARNING, () -> "accept on " + Addresses.format(serverAddress()) + " failed, retrying: " + e);
    }

    // ---- one request -----------------------------------------------------------------------------

    /** Python's {@code _handle_request_noblock}, after the request was taken. Consumes one permit. */
    private void handleOne(Q request) {
        counters.accepted.increment();
        SocketAddress clientAddress = clientAddress(request);
        boolean verified;
        try {
            verified = verifyRequest(request, clientAddress);
        } catch (Exception e) {
            reportError(request, clientAddress, e);
            verified = false;
        }
        if (!verified) {
            counters.refused.increment();
            try {
                shutdownRequest(request);
            } finally {
                counters.closed.increment();
                runner.release();
            }
            return;
        }
        running.put(request, Thread.currentThread());
        counters.requests.increment();   // after put: a request counted is never seen as not running yet
        try {
            processRequest(request, clientAddress);
        } catch (Exception e) {
            reportError(request, clientAddress, e);
            completeRequest(request);
        } catch (Error e) {
            completeRequest(request);
            throw e;
        }
        if (runner.isInline()) {
            completeRequest(request);   // in case an override of processRequest did not run runRequest
        }
    }

    /** The body of a request in its own thread: Python's {@code process_request_thread}. */
    private void runRequest(Q request, SocketAddress clientAddress) {
        running.replace(request, Thread.currentThread());
        Q served = null;
        try {
            served = beginRequest(request);
            if (served != null) {
                finishRequest(served, served == request ? clientAddress : clientAddress(served));
            }
        } catch (Exception e) {
            if (aborted.contains(request)) {
                REQUEST_LOG.log(Level.DEBUG, () -> "request from " + Addresses.format(clientAddress) + " ended by shutdown: " + e);
            } else if (served != null && endedByPolicy(served)) {
                REQUEST_LOG.log(Level.DEBUG, () -> "request from " + Addresses.format(clientAddress) + " ended by the server's policy: " + e);
            } else {
                reportError(request, clientAddress, e);
            }
        } finally {
            if (served != null && served != request) {
                endServed(served);
            }
            completeRequest(request);
        }
    }

    /**
     * Prepares a request in its own thread before the handler runs: a TLS handshake, a PROXY
     * header. Returns what the handler sees, or null if the request was turned away (and already
     * logged and counted).
     */
    Q beginRequest(Q request) throws IOException {
        return request;
    }

    /**
     * Starts a request that runs outside this JVM's threads (a child process) and calls
     * {@link #detachedRequestEnded} when it is over. Runs in the serving thread.
     */
    void startDetached(Q request, SocketAddress clientAddress) throws IOException {
        throw new IllegalStateException(concurrency + " does not apply to " + getClass().getSimpleName());
    }

    /** A request started by {@link #startDetached} is over: shut it down and free its permit. Any thread. */
    final void detachedRequestEnded(Q request) {
        completeRequest(request);
    }

    /** Called each time {@link #serveForever}'s loop turns: after each batch, and at least once per poll interval while idle. */
    void loopTurned() {
    }

    /** Whether this server is the supervisor of worker processes, which accept in its place. */
    boolean supervisesWorkers() {
        return false;
    }

    /** The serving loop of a supervisor: keeps the workers running until {@code stop}, then asks them to stop. */
    void superviseWorkers(BooleanSupplier stop, long pollNanos, Runnable serviceActions) {
        throw new IllegalStateException(concurrency + " does not apply to " + getClass().getSimpleName());
    }

    /** Ends what {@link #beginRequest} wrapped around a request, such as a TLS session. */
    void endServed(Q served) {
    }

    /**
     * Whether the server's own policy ended {@code served} while its handler ran (a refused TLS
     * renegotiation), counted and logged already: the handler's failure that follows is expected,
     * not an error for {@link #handleError}.
     */
    boolean endedByPolicy(Q served) {
        return false;
    }

    /** The requests running now, for timeouts that watch them. */
    final Set<Q> runningRequests() {
        return running.keySet();
    }

    /** Closes a running request's connection on the server's initiative; the handler's failure that follows is expected, not an error. */
    final void endRequest(Q request) {
        if (running.containsKey(request)) {
            aborted.add(request);
            abortRequest(request);
        }
    }

    /** Ends a request exactly once: shuts its connection down and frees its permit. */
    private void completeRequest(Q request) {
        if (running.remove(request) == null) {
            return;
        }
        aborted.remove(request);
        try {
            shutdownRequest(request);
        } catch (RuntimeException e) {
            REQUEST_LOG.log(Level.WARNING, "shutdownRequest failed", e);
        } finally {
            counters.closed.increment();
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

    private void reportError(Q request, SocketAddress clientAddress, Exception e) {
        counters.handlerErrors.increment();
        try {
            handleError(request, clientAddress, e);
        } catch (RuntimeException inHandler) {
            REQUEST_LOG.log(Level.ERROR, "handleError itself failed", inHandler);
        }
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
            startDetached(request, clientAddress);
            return;
        }
        runner.execute(() -> runRequest(request, clientAddress));
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
     * one line at {@code DEBUG} instead. The server keeps serving whatever this does.
     */
    protected void handleError(Q request, SocketAddress clientAddress, Throwable error) {
        if (clientWentAway(error)) {
            REQUEST_LOG.log(Level.TRACE, () -> "client " + Addresses.format(clientAddress) + " went away: " + error);
            return;
        }
        if (!REQUEST_LOG.isLoggable(Level.WARNING)) {
            return;
        }
        String dashes = "-".repeat(40);
        REQUEST_LOG.log(Level.WARNING, dashes + System.lineSeparator()
                + "Exception occurred during processing of request from " + Addresses.format(clientAddress)
                + System.lineSeparator() + dashes, error);
    }

    private static boolean clientWentAway(Throwable error) {
        if (error instanceof java.net.PortUnreachableException) {
            return true;   // a reply to a datagram sender that is gone
        }
        // a socket's streams throw SocketException; a channel's writes (and Unix-stream reads) a plain IOException
        if (!(error instanceof IOException) || error.getMessage() == null) {
            return false;
        }
        String message = error.getMessage();
        return message.startsWith("Connection reset") || message.startsWith("Broken pipe");
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
        LoopStop stop = requestStop();
        if (stop != null) {
            awaitLoopEnd(stop, Long.MAX_VALUE);
        }
    }

    /** A loop that was asked to stop: the thread running it, and which run of the loop it was. */
    private record LoopStop(Thread thread, long generation) {
    }

    /** Asks the loop to stop and wakes it. Returns what to wait for, or null if no other thread needs waiting for. */
    private LoopStop requestStop() {
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
        wakeUp();
        runner.wakeUp();
        return serving == Thread.currentThread() ? null : new LoopStop(serving, generation);
    }

    private boolean awaitLoopEnd(LoopStop stop, long deadlineNanos) {
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
        long deadline = plan.deadlineNanos();
        draining = true;
        // the listener closes at once, even while a synchronous request still runs in the serving thread
        LoopStop stop = stopAndRelease(false);
        boolean finished = awaitDrained(plan);
        if (!finished) {
            Thread serving = stop == null ? null : stop.thread();
            for (var entry : running.entrySet()) {
                counters.drainCuts.increment();
                endRequest(entry.getKey());
                Thread thread = entry.getValue();
                if (runner.isThreaded() && thread != serving && thread != Thread.currentThread()) {
                    thread.interrupt();   // for a handler blocked on something else than its connection: a sleep, a lock, a queue
                }
            }
            awaitRequests(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        }
        if (stop != null) {
            awaitLoopEnd(stop, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        }
        return afterClose(deadline) && finished;
    }

    /** Waits for running requests until the plan's deadline, looking for quiet connections to end as it goes. */
    private boolean awaitDrained(DrainPlan plan) {
        while (true) {
            long now = System.nanoTime();
            drainLook(plan, now);
            if (awaitRequests(plan.nextLookNanos(now))) {
                return true;
            }
            if (System.nanoTime() - plan.deadlineNanos() >= 0) {
                return false;
            }
        }
    }

    /** A drain's regular look at the running requests: ends those at a quiet point (see {@link DrainPlan}). Nothing by default. */
    void drainLook(DrainPlan plan, long nowNanos) {
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
        stopAndRelease(true);
        if (switch (concurrency) {
            case ThreadModel threads -> threads.blockOnClose();
            case ProcessModel processes -> processes.blockOnClose();
        }) {
            awaitRequests(Long.MAX_VALUE);
        }
        afterClose(System.nanoTime() + CLOSE_CHILDREN_DEADLINE.toNanos());
    }

    /**
     * Releases what outlives the socket, such as child processes, which have until
     * {@code deadlineNanos} to exit; after close() and shutdown(Duration).
     *
     * @return whether everything ended by the deadline
     */
    boolean afterClose(long deadlineNanos) {
        return true;
    }

    /** Whether {@link #close()} or {@link #shutdown(Duration)} was called. */
    public final boolean isClosed() {
        return closed;
    }

    /** The server's counters: requests, bytes, errors. */
    public final ServerStats stats() {
        return counters.snapshot(running.size(), counters.bytesIn.sum(), counters.bytesOut.sum());
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
        try {
            ObjectName objectName = new ObjectName("dev.socketserver:type=Server,name=" + ObjectName.quote(name));
            ManagementFactory.getPlatformMBeanServer().registerMBean(
                    new StatsMBean(ServerStats.class, this::stats, "statistics of " + this), objectName);
            jmxName = objectName;
            return objectName;
        } catch (JMException e) {
            throw new IllegalArgumentException("cannot register server statistics as '" + name + "' over JMX: " + e.getMessage(), e);
        }
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
        return running.size();
    }

    /** Marks the server closed, stops the loop (waiting for it to end if asked) and closes the socket. Null if already closed. */
    private LoopStop stopAndRelease(boolean waitForLoop) {
        stateLock.lock();
        try {
            if (closed) {
                return null;
            }
            closed = true;
        } finally {
            stateLock.unlock();
        }
        ObjectName registered = jmxName;
        if (registered != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(registered);
            } catch (JMException e) {
                LOG.log(Level.DEBUG, "unregistering " + registered + " failed", e);
            }
        }
        LoopStop stop = requestStop();
        if (waitForLoop && stop != null) {
            awaitLoopEnd(stop, Long.MAX_VALUE);
        }
        try {
            serverClose();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing " + Addresses.format(serverAddress()) + " failed: " + e);
        }
        return stop;
    }

    /** Waits until every running request other than the caller's own has finished, or the deadline passes. */
    private boolean awaitRequests(long deadlineNanos) {
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

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + Addresses.format(serverAddress()) + ", " + concurrency + "]";
    }
}
