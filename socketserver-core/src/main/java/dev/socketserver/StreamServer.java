package dev.socketserver;

import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.ChannelConnection;
import dev.socketserver.internal.DrainPlan;
import dev.socketserver.internal.ChannelReadiness;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.ProxiedConnection;
import dev.socketserver.internal.ProxyAdmission;
import dev.socketserver.internal.SpawnedConnection;
import dev.socketserver.internal.linux.ChildReaper;
import dev.socketserver.internal.linux.SocketDescriptors;
import dev.socketserver.internal.linux.Spawner;
import dev.socketserver.internal.linux.UcspiEnvironment;
import dev.socketserver.internal.RateLimitedLog;
import dev.socketserver.internal.proxy.ProxyHeader;
import dev.socketserver.internal.TlsConnection;
import dev.socketserver.internal.TlsEngineSupport;
import dev.socketserver.internal.TlsPolicy;
import dev.socketserver.internal.WorkerHeartbeat;
import dev.socketserver.internal.WorkerProcess;
import dev.socketserver.internal.WorkerSupervisor;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.net.BindException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A server that accepts stream connections: the common part of {@link TcpServer} and
 * {@link UnixStreamServer}. Each request is a {@link Connection}; when it ends the server shuts the
 * connection's output down (the client sees EOF) and closes it.
 */
public abstract sealed class StreamServer extends BaseServer<Connection> permits TcpServer, UnixStreamServer {
    private static final System.Logger LOG = System.getLogger(Loggers.SERVER);
    private static final System.Logger REQUEST_LOG = System.getLogger(Loggers.REQUEST);
    private static final System.Logger TLS_LOG = System.getLogger(Loggers.TLS);
    private static final System.Logger PROCESS_LOG = System.getLogger(Loggers.PROCESSES);
    private static final System.Logger WORKER_LOG = System.getLogger(Loggers.WORKERS);

    /** How long a worker whose supervisor died, or a supervisor stopped by a signal, drains. */
    private static final Duration ORPHAN_DRAIN = Duration.ofSeconds(30);

    private final ServerSocketChannel channel;
    private final String scheme;
    private SocketAddress address;
    private volatile boolean bound;
    private volatile ChannelReadiness readiness;
    private volatile ChildReaper children;       // process per connection only
    private volatile WorkerSupervisor workers;   // the supervisor of worker processes only
    private final boolean adopted;               // a worker process: the listener is the supervisor's
    private volatile WorkerHeartbeat heartbeat;  // a worker process: tells the supervisor the loop turns
    private Thread drainOnExit;                  // guarded by this: a shutdown hook of a supervisor or a worker
    private volatile int listenerFd = -1;
    private volatile Duration idleTimeout;
    private volatile Duration requestDeadline;
    private Thread timeoutWatcher;               // guarded by this
    private final RateLimitedLog tlsFailures = new RateLimitedLog(TLS_LOG, Duration.ofSeconds(1));
    private final TlsPolicy tlsPolicy = new TlsPolicy(counters);
    private final ProxyAdmission proxyAdmission = new ProxyAdmission(counters);

    StreamServer(String scheme, SocketAddress address, ProtocolFamily family,
                 Supplier<? extends BaseRequestHandler<Connection>> handlerFactory,
                 Concurrency concurrency) throws IOException {
        super(handlerFactory, concurrency);
        this.scheme = scheme;
        this.adopted = concurrency.isWorkerProcesses() && WorkerProcess.isWorker();
        if (adopted) {
            this.channel = WorkerProcess.inheritedListener(scheme);
            this.address = channel.getLocalAddress();
            this.bound = true;
        } else {
            this.address = address;
            this.channel = ServerSocketChannel.open(family);
        }
    }

    /** The listening channel, for options this class does not offer. */
    public final ServerSocketChannel channel() {
        return channel;
    }

    @Override
    Connection beginRequest(Connection request) throws IOException {
        ProxyInfo proxy = null;
        if (proxyAdmission.isOn()) {
            proxy = readProxyHeader(request);
            if (proxy == null) {
                return null;
            }
        }
        Connection served = request;
        TlsOptions tls = options().tls();
        if (tls != null) {
            try {
                served = TlsConnection.accept(request, tls.context(), tls.needClientAuth(), tls.applicationProtocols(), tls.handshakeDeadline(),
                        tlsPolicy);
            } catch (IOException e) {
                counters.tlsHandshakeFailures.increment();
                if (e instanceof SocketTimeoutException) {
                    counters.timeouts.increment();
                }
                if (!isDraining() && request.isOpen()) {
                    tlsFailures.log(Level.WARNING, () -> TlsEngineSupport.failureMessage(request.clientAddress(), e.getMessage()));
                }
                return null;
            }
        }
        return proxy == null ? served : new ProxiedConnection(served, proxy);
    }

    /** Reads the PROXY header within its deadline; null (counted and logged) if the peer or the header is not acceptable. */
    private ProxyInfo readProxyHeader(Connection request) {
        SocketAddress peer = request.clientAddress();
        if (!proxyAdmission.admits(peer)) {
            return null;
        }
        long deadline = System.nanoTime() + proxyAdmission.headerDeadline().toNanos();
        Duration previousTimeout = request.readTimeout();
        try {
            ProxyHeader header = ProxyAdmission.PARSER.read(new DeadlineInput(request, deadline));
            request.setReadTimeout(previousTimeout);
            return ProxyAdmission.info(header);
        } catch (IOException e) {
            proxyAdmission.rejected(peer, e);
            return null;
        }
    }

    /** The connection's input, with each read's timeout cut to what is left before the deadline. */
    private static final class DeadlineInput extends InputStream {
        private final Connection connection;
        private final long deadlineNanos;

        DeadlineInput(Connection connection, long deadlineNanos) {
            this.connection = connection;
            this.deadlineNanos = deadlineNanos;
        }

        private void cutTimeout() throws SocketTimeoutException {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                throw new SocketTimeoutException("PROXY header deadline passed");
            }
            connection.setReadTimeout(Duration.ofNanos(Math.max(remaining, 1_000_000)));
        }

        @Override
        public int read() throws IOException {
            cutTimeout();
            return connection.in().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            cutTimeout();
            return connection.in().read(b, off, len);
        }
    }

    /**
     * Stream servers honour every setting but the socket file's bits, which only Unix sockets have.
     * A process per connection refuses TLS and the PROXY protocol: the child reads the socket itself.
     */
    @Override
    void applyOptions(ServerOptions options) throws IOException {
        super.applyOptions(options);
        if (concurrency() instanceof ProcessModel processes && processes.isProcessPerConnection()
                && (options.tls() != null || options.proxyProtocol() != null)) {
            throw new IllegalArgumentException("TLS and the PROXY protocol are not available with a process per connection: "
                    + "the child reads the socket itself, so the server cannot see the handshake or the header");
        }
        setIdleTimeout(options.idleTimeout());
        this.requestDeadline = options.requestDeadline();
        startTimeoutWatcher();
        proxyAdmission.configure(options.proxyProtocol());
        // the water marks and the write-buffer limit hold by themselves: a blocking write waits for the peer
    }

    /** Ends the connections that are at a quiet point; see {@link #shutdown(Duration)}. */
    @Override
    void drainLook(DrainPlan plan, long nowNanos) {
        for (Connection request : runningRequests()) {
            if (request instanceof ChannelConnection connection) {
                connection.drainLook(plan, nowNanos);
            }
        }
    }

    @Override
    void endServed(Connection served) {
        Connection inner = served instanceof ProxiedConnection proxied ? proxied.real() : served;
        if (inner instanceof TlsConnection tls) {
            tls.closeOutbound();
        }
    }

    @Override
    boolean endedByPolicy(Connection served) {
        Connection inner = served instanceof ProxiedConnection proxied ? proxied.real() : served;
        return inner instanceof TlsConnection tls && tls.renegotiationRefused();
    }

    /**
     * Sets the idle timeout: a connection that reads and writes nothing for this long is closed
     * (its handler's blocked read or write then fails, which is expected and logged only at
     * {@code DEBUG}). A timeout, measured from the last byte; {@code null}, the default, means none.
     * May be changed while serving.
     */
    public final void setIdleTimeout(Duration timeout) {
        this.idleTimeout = positiveOrNull(timeout, "idle timeout");
        startTimeoutWatcher();
    }

    /** The idle timeout, or {@code null} for none. */
    public final Duration idleTimeout() {
        return idleTimeout;
    }

    /** The request deadline of the options, or {@code null} for none. */
    public final Duration requestDeadline() {
        return requestDeadline;
    }

    private static Duration positiveOrNull(Duration d, String what) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException(what + " must be positive, or null for none; got " + d);
        }
        return d;
    }

    /** One virtual thread per server checks the running connections a few times per timeout, and ends with the server. */
    private synchronized void startTimeoutWatcher() {
        if (timeoutWatcher != null || (idleTimeout == null && requestDeadline == null) || isClosed()) {
            return;
        }
        timeoutWatcher = Thread.ofVirtual().name("socketserver-timeouts").start(() -> {
            while (!isClosed()) {
                Duration idle = idleTimeout;
                Duration deadline = requestDeadline;
                long shortest = Math.min(idle == null ? Long.MAX_VALUE : idle.toNanos(), deadline == null ? Long.MAX_VALUE : deadline.toNanos());
                if (shortest == Long.MAX_VALUE) {
                    shortest = TimeUnit.SECONDS.toNanos(4);
                }
                LockSupport.parkNanos(Math.clamp(shortest / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1)));
                long now = System.nanoTime();
                for (Connection request : runningRequests()) {
                    if (request instanceof ChannelConnection c) {
                        if (idle != null && now - c.lastActivityNanos() >= idle.toNanos()) {
                            REQUEST_LOG.log(Level.DEBUG, () -> "closing " + c + ": idle for " + idle.toMillis() + " ms");
                            counters.timeouts.increment();
                            endRequest(request);
                        } else if (deadline != null && now - c.acceptedNanos() >= deadline.toNanos()) {
                            REQUEST_LOG.log(Level.DEBUG, () -> "closing " + c + ": request deadline of " + deadline.toMillis() + " ms passed");
                            counters.timeouts.increment();
                            endRequest(request);
                        }
                    }
                }
            }
        });
    }

    final void requireUnbound(String option) {
        if (bound && !adopted) {
            throw new IllegalStateException(option + ": the socket is bound already (the constructor binds it)");
        }
    }

    /** Binds and listens: on the JDK both happen in one call, with the options' backlog. */
    @Override
    public void serverBind() throws IOException {
        if (adopted) {
            return;   // a worker serves the socket its supervisor bound
        }
        requireUnbound("serverBind()");
        beforeBind(channel);
        bindChannel(address);
    }

    /** Binds and listens at {@code at}; {@link #serverAddress()} is then where the socket is bound. */
    final void bindChannel(SocketAddress at) throws IOException {
        Addresses.bind(scheme, address, () -> channel.bind(at, options().backlog()));
        bound = true;
        address = channel.getLocalAddress();
    }

    /** For a socket file moved after the bind: where clients now find it. */
    final void boundAddressMoved(SocketAddress now) {
        address = now;
    }

    /** Whether this is a worker process serving its supervisor's socket. */
    final boolean adoptedListener() {
        return adopted;
    }

    /** Sets socket options before the bind. */
    void beforeBind(ServerSocketChannel channel) throws IOException {
    }

    /** Registers the listening socket for accepts. */
    @Override
    public void serverActivate() throws IOException {
        if (!bound) {
            throw new IllegalStateException("serverActivate() needs a bound socket: call serverBind() first");
        }
        ProcessModel processes = concurrency() instanceof ProcessModel p ? p : null;
        if (processes != null && processes.isProcessPerConnection() && children == null) {
            listenerFd = SocketDescriptors.fdOf(channel);
            children = new ChildReaper();
        }
        if (processes != null && !processes.isProcessPerConnection() && !adopted) {
            if (workers == null) {
                workers = new WorkerSupervisor(SocketDescriptors.fdOf(channel), processes.workers(),
                        WorkerSupervisor.ownCommandLine(), serverUri(), processes.workerTimeout());
            }
            return;   // the supervisor accepts nothing: the workers do
        }
        if (adopted) {
            heartbeat = WorkerHeartbeat.forWorker();
            startDrainOnExit(Duration.ofDays(1), "socketserver-worker-drain");   // the supervisor kills at its own deadline
            WorkerProcess.onSupervisorExit(() -> {
                WORKER_LOG.log(Level.WARNING, "the supervisor of worker " + WorkerProcess.number() + " has exited; draining for up to "
                        + ORPHAN_DRAIN.toSeconds() + " s and exiting");
                shutdown(ORPHAN_DRAIN);
            });
        }
        if (readiness == null) {
            readiness = new ChannelReadiness(channel, SelectionKey.OP_ACCEPT);
        }
    }

    @Override
    public final SocketAddress serverAddress() {
        return address;
    }

    /** The address as the command line writes it, such as {@code tcp://127.0.0.1:9000} or {@code unix:/run/x.sock}. */
    public final String serverUri() {
        return Addresses.uri(scheme, address);
    }

    @Override
    protected Connection getRequest() throws IOException {
        if (children != null) {
            SocketDescriptors.Accepted accepted = SocketDescriptors.accept(listenerFd);
            return accepted == null ? null : new SpawnedConnection(accepted);
        }
        SocketChannel accepted = channel.accept();
        return accepted == null ? null : ChannelConnection.accepted(accepted, counters);
    }

    /** Shuts the connection's output down (the client sees EOF), then closes it, ignoring errors as Python does. */
    @Override
    protected void shutdownRequest(Connection request) {
        try {
            request.shutdownOutput();
        } catch (IOException e) {
            // not connected any more
        }
        closeRequest(request);
    }

    /** Closes the connection. */
    @Override
    protected void closeRequest(Connection request) {
        request.close();
    }

    /** Closes the listening socket; new clients are refused from now on. Child processes get SIGTERM. */
    @Override
    protected void serverClose() throws IOException {
        ChildReaper reaper = children;
        if (reaper != null) {
            reaper.signalAll(ChildReaper.SIGTERM);
        }
        WorkerSupervisor supervisor = workers;
        if (supervisor != null) {
            supervisor.stopWorkers();
        }
        synchronized (this) {
            if (timeoutWatcher != null) {
                LockSupport.unpark(timeoutWatcher);
            }
        }
        try {
            ChannelReadiness r = readiness;
            if (r != null) {
                r.close();
            }
        } finally {
            channel.close();
        }
    }

    @Override
    final boolean awaitReady(long timeoutNanos) throws IOException {
        return readiness.await(timeoutNanos);
    }

    @Override
    final void wakeUp() {
        ChannelReadiness r = readiness;
        if (r != null) {
            r.wakeUp();
        }
        WorkerSupervisor supervisor = workers;
        if (supervisor != null) {
            supervisor.wakeUp();
        }
    }

    @Override
    final boolean isActivated() {
        return readiness != null || workers != null;
    }

    @Override
    final void loopTurned() {
        WorkerHeartbeat beat = heartbeat;
        if (beat != null) {
            beat.beat();
        }
    }

    @Override
    final boolean supervisesWorkers() {
        return workers != null;
    }

    @Override
    final void superviseWorkers(BooleanSupplier stop, long pollNanos, Runnable serviceActions) {
        startDrainOnExit(ORPHAN_DRAIN, "socketserver-supervisor-drain");
        workers.supervise(stop, pollNanos, serviceActions);
    }

    /** The pids of the worker processes running now; empty unless this is a supervisor. */
    final java.util.Set<Integer> workerPids() {
        WorkerSupervisor supervisor = workers;
        return supervisor == null ? java.util.Set.of() : supervisor.workerPids();
    }

    /** Drains the server when the JVM exits (on {@code SIGTERM}, without a signal handler of the program's), once. */
    private synchronized void startDrainOnExit(Duration drain, String name) {
        if (drainOnExit != null || isClosed()) {
            return;
        }
        drainOnExit = new Thread(() -> {
            WorkerSupervisor supervisor = workers;
            if (isClosed() && supervisor != null) {
                // the program is exiting in the middle of its own drain: it chose not to wait, so neither do the workers
                supervisor.awaitWorkers(System.nanoTime());
            } else {
                shutdown(drain);
            }
        }, name);
        try {
            Runtime.getRuntime().addShutdownHook(drainOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already exiting
        }
    }

    private synchronized void stopDrainOnExit() {
        if (drainOnExit != null && drainOnExit != Thread.currentThread()) {
            try {
                Runtime.getRuntime().removeShutdownHook(drainOnExit);
            } catch (IllegalStateException e) {
                // the JVM is exiting, and the hook may be what closes us
            }
        }
    }

    @Override
    final SocketAddress clientAddress(Connection request) {
        return request.clientAddress();
    }

    @Override
    final void abortRequest(Connection request) {
        if (request instanceof SpawnedConnection spawned && children != null && spawned.pid() != 0) {
            children.signal(spawned.pid(), ChildReaper.SIGKILL);
            return;
        }
        request.close();
    }

    /** Spawns the command with the connection on its stdin and stdout, and ends the request when the child exits. */
    @Override
    void startDetached(Connection request, SocketAddress clientAddress) throws IOException {
        SpawnedConnection connection = (SpawnedConnection) request;
        int pid;
        try {
            ProcessModel processes = (ProcessModel) concurrency();
            pid = Spawner.spawn(processes.command(), UcspiEnvironment.forConnection(processes.childEnvironment(), connection.accepted()),
                    connection.accepted().fd());
        } finally {
            connection.close();   // the child has its own copy now, or there is no child
        }
        connection.handedTo(pid);
        children.track(pid).whenComplete((exit, failure) -> {
            if (exit != null) {
                boolean expected = exit.succeeded() || isClosed();
                PROCESS_LOG.log(expected ? Level.DEBUG : Level.WARNING, () -> "child for " + Addresses.format(clientAddress) + ": " + exit);
            }
            detachedRequestEnded(request);
        });
    }

    @Override
    boolean afterClose(long deadlineNanos) {
        boolean inTime = true;
        ChildReaper reaper = children;
        if (reaper != null) {
            inTime = reaper.terminateAll(Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())));
            reaper.close();
        }
        WorkerSupervisor supervisor = workers;
        if (supervisor != null) {
            supervisor.stopWorkers();
            inTime = supervisor.awaitWorkers(deadlineNanos);
            supervisor.close();
        }
        stopDrainOnExit();
        return inTime;
    }
}
