package dev.socketserver;

import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.ChannelConnection;
import dev.socketserver.internal.ChannelReadiness;
import dev.socketserver.internal.Durations;
import dev.socketserver.internal.PolledListener;
import dev.socketserver.internal.WorkerProcess;
import dev.socketserver.internal.linux.AbstractStreamListener;
import dev.socketserver.internal.linux.InheritedSockets;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A server that accepts stream connections: the common part of {@link TcpServer} and
 * {@link UnixStreamServer}. Each request is a {@link Connection}; when it ends the server shuts the
 * connection's output down (the client sees EOF) and closes it.
 */
public abstract sealed class StreamServer extends BaseServer<Connection> permits TcpServer, UnixStreamServer {
    private final ServerSocketChannel channel;
    private final String scheme;
    private SocketAddress address;
    // volatile: set while the constructor binds and activates, read by the serving thread and by any thread that wakes or closes the server
    private volatile boolean bound;
    private volatile ChannelReadiness readiness;
    private volatile PolledListener polled;          // connections wait through the library's own poller; null: through the JDK's
    private final boolean adopted;                   // a worker process: the listener is the supervisor's
    private final StreamStages stages = new StreamStages(this);
    private final WorkerProcesses workers = stages.workers();
    private final StreamTimeouts timeouts = new StreamTimeouts(this);

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
            this.channel = ServerSocketChannel.open(InheritedSockets.family(address, family));
        }
    }

    /** The listening channel, for options this class does not offer. */
    public final ServerSocketChannel channel() {
        return channel;
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
        timeouts.setRequestDeadline(options.requestDeadline());
        timeouts.start();
        stages.proxyAdmission().configure(options.proxyProtocol());
        // the water marks and the write-buffer limit hold by themselves: a blocking write waits for the peer
    }

    /**
     * Sets the idle timeout: a connection that reads and writes nothing for this long is closed
     * (its handler's blocked read or write then fails, which is expected and logged only at
     * {@code DEBUG}). A timeout, measured from the last byte; {@code null}, the default, means none.
     * May be changed while serving.
     */
    public final void setIdleTimeout(Duration timeout) {
        timeouts.setIdleTimeout(Durations.positiveOrNull(timeout, "idle timeout"));
        timeouts.start();
    }

    /** The idle timeout, or {@code null} for none. */
    public final Duration idleTimeout() {
        return timeouts.idleTimeout();
    }

    /** The request deadline of the options, or {@code null} for none. */
    public final Duration requestDeadline() {
        return timeouts.requestDeadline();
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
        if (serveInheritedSocket()) {
            return;
        }
        beforeBind(channel);
        bindChannel(address);
    }

    /**
     * Serves the socket a service manager passed to this process at the requested address, if it
     * passed one (see {@link SystemdSocket}), instead of binding a new one.
     *
     * @return whether it did
     */
    final boolean serveInheritedSocket() throws IOException {
        Optional<SocketAddress> inherited = InheritedSockets.adopt(channel, address);
        inherited.ifPresent(this::boundAt);
        return inherited.isPresent();
    }

    /** Binds and listens at the abstract Unix name {@code at}, which the JDK cannot bind itself. */
    final void bindAbstract(UnixAddress at) throws IOException {
        requireUnbound("serverBind()");
        AbstractStreamListener.bind(channel, at, options().backlog());
        boundAt(at);
    }

    private void boundAt(SocketAddress at) {
        bound = true;
        address = at;
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
        if (processes != null && processes.isProcessPerConnection() && stages.children() == null) {
            stages.useChildren(ProcessPerConnection.open(channel, processes));
        }
        if (processes != null && !processes.isProcessPerConnection() && !adopted) {
            workers.superviseListener(channel, processes);
            return;   // the supervisor accepts nothing: the workers do
        }
        if (adopted) {
            workers.startWorker();
        }
        if (readiness == null) {
            readiness = new ChannelReadiness(channel, SelectionKey.OP_ACCEPT);
            if (requestsRunOnVirtualThreads() && stages.children() == null) {
                polled = PolledListener.open(channel);
            }
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
    RequestStages<Connection> stages() {
        return stages;
    }

    @Override
    protected Connection getRequest() throws IOException {
        ProcessPerConnection processes = stages.children();
        if (processes != null) {
            return processes.accept();
        }
        PolledListener own = polled;
        if (own != null) {
            return own.accept(counters);
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
        ProcessPerConnection processes = stages.children();
        if (processes != null) {
            processes.signalClose();
        }
        workers.stopWorkers();
        timeouts.wakeUp();
        PolledListener own = polled;
        if (own != null) {
            own.close();
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
        workers.wakeUp();
    }

    @Override
    final boolean isActivated() {
        return readiness != null || workers.isSupervisor();
    }

    /**
     * In a supervisor of worker processes: starts a new generation of workers and drains the old
     * one, for at most {@code drain}, once the new one serves ({@link WorkerProcesses#reload}).
     *
     * @return false if this is not such a supervisor
     */
    final boolean reloadWorkers(Duration drain) {
        return workers.reload(drain);
    }

    /** The pids of the worker processes running now; empty unless this is a supervisor. */
    final Set<Integer> workerPids() {
        return workers.pids();
    }

    @Override
    final SocketAddress clientAddress(Connection request) {
        return request.clientAddress();
    }

    @Override
    final void abortRequest(Connection request) {
        ProcessPerConnection processes = stages.children();
        if (processes != null && processes.kill(request)) {
            return;
        }
        request.close();
    }
}
