package dev.socketserver.async;

import dev.socketserver.Server;
import dev.socketserver.ServerOptions;
import dev.socketserver.ServerStats;
import dev.socketserver.UnixAddress;
import dev.socketserver.internal.DrainPlan;
import dev.socketserver.internal.Durations;
import dev.socketserver.internal.JmxRegistration;
import dev.socketserver.internal.Loggers;

import javax.management.ObjectName;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * An event-loop server (TCP, UDP, Unix stream and Unix datagram): a few threads multiplex every connection, and a {@link Protocol} (one per
 * connection) or a {@link DatagramProtocol} (one per socket) reacts to events. The model for the
 * most connections per byte of memory and the highest throughput.
 *
 * {@snippet :
 * AsyncServer.tcp(9000, () -> new Protocol() {
 *     Transport transport;
 *     public void connectionMade(Transport t) { transport = t; }
 *     public void dataReceived(ByteBuffer data) { transport.write(data); }
 * }).serveForever();
 * }
 *
 * <p>The factories bind at once (Unix datagrams: {@link #unixgram}, whose socket the JDK cannot select on, so one extra thread receives and feeds the loop); {@link #start()} (or {@link #serveForever()}) starts the loops:
 * N threads (default: the number of processors), each with its own selector. The first loop also
 * accepts; new connections are dealt to the loops in turn and stay on theirs for life, so the
 * callbacks of one connection never run concurrently. Options are set before starting.
 *
 * <p>On Linux, where the JVM grants this module native access, a stream server's loops wait
 * through epoll instances of the library's own and its connections are read and written through
 * FFM on their descriptors (less CPU per message with many connections); elsewhere, or with the
 * system property {@code socketserver.poller=jdk}, through the JDK's {@code Selector} and
 * {@code SocketChannel}. Datagram servers use the selector. Nothing else differs.
 *
 * <p>{@link #shutdown(Duration)} stops accepting, waits for connections to end until the deadline,
 * then closes the rest; {@link #close()} closes everything at once. Either way the loops' threads
 * are gone when it returns.
 *
 * <p>A server does not outlive a loop: what ends one (a {@link VirtualMachineError} such as
 * {@link OutOfMemoryError} in a callback or in the loop itself, or a failing selector; see
 * {@link EventLoop}) fails the server as a whole. It closes its listening socket at once, then its
 * connections and loops, and {@link #serveForever()} (which may also be called after
 * {@link #start()}, to wait) throws what ended the loop, so that a process can exit and be
 * restarted rather than listen and serve nobody. {@code shutdown} and {@code close} return
 * promptly during and after this.
 *
 * <p>The {@link ServerOptions} of the blocking servers apply here too, with the same defaults
 * (idle timeout, request deadline, connection limit, PROXY protocol, TLS, water marks), as do
 * {@link #stats() statistics} and {@link #registerJmx JMX}. On the event loop the PROXY header is
 * read, and the TLS handshake run (the engine's slow tasks in a virtual thread), on the
 * connection's loop before the protocol is made; the protocol sees plaintext. An accept that fails (too many open files) is retried with a backoff
 * from 5 ms up to 1 s, logged at most once a second and counted; the listener stays open.
 */
public final class AsyncServer implements Server {
    private static final System.Logger LOG = System.getLogger(Loggers.ASYNC);

    private enum State { NEW, RUNNING, CLOSED }

    private final BoundSocket socket;                  // the listener or datagram socket, its address, its closing
    private final Supplier<? extends Protocol> protocols;   // stream servers
    private final ServerContext context;               // what the connections use: options, counters, the count and its cap
    private final JmxRegistration jmx = new JmxRegistration();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object stateLock = new Object();

    private int loopCount = Runtime.getRuntime().availableProcessors();
    private State state = State.NEW;                   // guarded by stateLock
    private EventLoops loops;
    // volatile: options that may change while serving, read by the loops
    private volatile boolean draining;
    private volatile Duration idleTimeout;

    /** A server on a {@code socket} bound by {@link AsyncBinding}, configured by {@code options}; {@code protocols}: null for datagrams. */
    AsyncServer(BoundSocket socket, Supplier<? extends Protocol> protocols, ServerOptions options) {
        this.socket = socket;
        this.protocols = protocols;
        this.context = new ServerContext(options);
        // the settings of connections; the socket's own were applied when it was bound
        setMaxConnections(options.maxConnections());
        setIdleTimeout(options.idleTimeout());
        context.proxyAdmission().configure(options.proxyProtocol());
    }

    /**
     * A TCP server on {@code port} of the loopback address (127.0.0.1), as
     * {@link dev.socketserver.TcpServer#serve TcpServer.serve} listens: only this machine can
     * connect, so nothing is exposed by accident. To serve other machines, name the address:
     * {@code AsyncServer.tcp(new InetSocketAddress(9000), ...)} for every interface.
     */
    public static AsyncServer tcp(int port, Supplier<? extends Protocol> protocolFactory) throws IOException {
        return tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), protocolFactory);
    }

    /**
     * A TCP server bound to {@code address} (port 0 picks a free port), with the default options.
     *
     * @throws BindException if the address is in use; the message names it
     */
    public static AsyncServer tcp(InetSocketAddress address, Supplier<? extends Protocol> protocolFactory) throws IOException {
        return tcp(address, protocolFactory, ServerOptions.defaults());
    }

    /**
     * A TCP server bound to {@code address}, configured by {@code options}; see {@link ServerOptions}.
     *
     * @throws IllegalArgumentException if {@code options} hold socket-file bits, which TCP has not
     * @throws BindException if the address is in use; the message names it
     */
    public static AsyncServer tcp(InetSocketAddress address, Supplier<? extends Protocol> protocolFactory, ServerOptions options)
            throws IOException {
        return AsyncBinding.tcp(address, protocolFactory, options);
    }

    /**
     * A Unix stream server on the socket file {@code path}, with the default options: a stale file
     * is replaced, a live one or a file that is not a socket refused, and the file is removed on close.
     */
    public static AsyncServer unix(Path path, Supplier<? extends Protocol> protocolFactory) throws IOException {
        return unix(path, protocolFactory, ServerOptions.defaults());
    }

    /**
     * {@link #unix(Path, Supplier)} configured by {@code options}; their {@code socketPermissions}
     * are in place before any client can connect (the socket is bound in a private directory
     * beside the path and renamed into place).
     */
    public static AsyncServer unix(Path path, Supplier<? extends Protocol> protocolFactory, ServerOptions options) throws IOException {
        return AsyncBinding.unix(path, protocolFactory, options);
    }

    /**
     * A Unix stream server at a socket file, as {@link #unix(Path, Supplier, ServerOptions)}, or at
     * an abstract name ({@link UnixAddress#ofAbstract}: no file; socket permissions are refused).
     */
    public static AsyncServer unix(UnixAddress address, Supplier<? extends Protocol> protocolFactory, ServerOptions options) throws IOException {
        return address.isAbstract() ? AsyncBinding.unixAbstract(address, protocolFactory, options)
                : AsyncBinding.unix(address.path(), protocolFactory, options);
    }

    /** A UDP server bound to {@code address}, with one protocol for the whole socket and the default options. */
    public static AsyncServer udp(InetSocketAddress address, DatagramProtocol protocol) throws IOException {
        return udp(address, protocol, ServerOptions.defaults());
    }

    /**
     * {@link #udp(InetSocketAddress, DatagramProtocol)} configured by {@code options}. SO_REUSEADDR
     * stays off on UDP, where it would let another socket bind the same port.
     *
     * @throws IllegalArgumentException if {@code options} hold a setting of connections (TLS, the
     *     PROXY protocol, timeouts, a connection limit) or socket-file bits
     */
    public static AsyncServer udp(InetSocketAddress address, DatagramProtocol protocol, ServerOptions options) throws IOException {
        return AsyncBinding.udp(address, protocol, options);
    }

    /**
     * A Unix datagram server on a socket file or an abstract name, with one protocol for the whole
     * socket and the default options. The JDK cannot select on this socket, so one extra thread
     * blocks in receive and hands each datagram to the loop; the protocol's callbacks run on the
     * loop as for UDP.
     */
    public static AsyncServer unixgram(UnixAddress address, DatagramProtocol protocol) throws IOException {
        return unixgram(address, protocol, ServerOptions.defaults());
    }

    /**
     * {@link #unixgram(UnixAddress, DatagramProtocol)} configured by {@code options}; their
     * {@code socketPermissions} are in place before any client can send.
     *
     * @throws IllegalArgumentException if {@code options} hold a setting of connections, or
     *     socket-file bits for an abstract name, which has no file
     */
    public static AsyncServer unixgram(UnixAddress address, DatagramProtocol protocol, ServerOptions options) throws IOException {
        return AsyncBinding.unixgram(address, protocol, options);
    }

    // ---- options -------------------------------------------------------------------------------

    /** Sets how many event loops (threads) to run; default: the number of processors. Before {@link #start()}. */
    public void setEventLoops(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("an async server needs at least 1 event loop, got " + count);
        }
        synchronized (stateLock) {
            if (state != State.NEW) {
                throw new IllegalStateException("event loops must be set before start()");
            }
        }
        this.loopCount = count;
    }

    /**
     * Sets the idle timeout: a connection that reads and writes nothing for this long is closed
     * (its protocol's {@code connectionLost} gets a {@link java.net.SocketTimeoutException}). A
     * timeout, measured from the last byte; {@code null}, the default, means none. May be changed
     * while serving. Each loop checks its connections a few times per timeout, so a connection
     * is closed up to a quarter of the timeout late (at most 1 s).
     *
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public void setIdleTimeout(Duration timeout) {
        this.idleTimeout = Durations.positiveOrNull(timeout, "idle timeout");
        scheduleTimeoutScans();
    }

    /** The idle timeout, or {@code null} for none. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The request deadline of the options, or {@code null} for none. */
    public Duration requestDeadline() {
        return context.options().requestDeadline();
    }

    /** The options this server was built with; the connection limit and the idle timeout may since have changed. */
    @Override
    public ServerOptions options() {
        return context.options();
    }

    /**
     * Caps how many stream connections are open at once; 0, the default, means no cap. When the
     * cap is reached the server stops accepting, so further clients wait in the kernel's backlog:
     * they are neither accepted and dropped nor refused, and get in as connections close. May be
     * changed at any time; takes effect at once (lowering it closes nobody).
     *
     * @throws IllegalArgumentException if {@code max} is negative
     */
    public void setMaxConnections(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max connections must be 0 (no limit) or more, got " + max);
        }
        context.setMaxConnections(max);
    }

    /** The cap set by {@link #setMaxConnections(int)}, 0 for none. */
    public int maxConnections() {
        return context.maxConnections();
    }

    /** The bound address; after binding port 0, the port the system chose. */
    @Override
    public SocketAddress serverAddress() {
        return socket.address();
    }

    /** The address as the command line writes it: {@code tcp://127.0.0.1:9000}, {@code udp://…}, {@code unix:/path}. */
    @Override
    public String serverUri() {
        return socket.uri();
    }

    /** The number of open stream connections: the requests of an event-loop server. */
    @Override
    public int activeRequests() {
        return context.openConnections.get();
    }

    /**
     * The server's counters. {@code activeRequests} is the number of open stream connections;
     * {@code accepted} and {@code requestsTotal} both count accepted connections (and received
     * datagrams, for a datagram server), and {@code closed} those that have ended; {@code
     * handlerErrors} counts callbacks that threw; {@code requestsRefused} stays 0 (there is no
     * {@code verifyRequest} hook); {@code timeouts} counts connections closed by the idle timeout,
     * the request deadline, or the TLS handshake or PROXY header deadline; {@code
     * truncatedDatagrams} counts Unix datagrams longer than 64 KiB (a UDP datagram always fits).
     * Bytes are those read from and written to the sockets.
     */
    @Override
    public ServerStats stats() {
        EventLoops running = loops();
        return context.stats(running == null ? 0 : running.bytesIn(), running == null ? 0 : running.bytesOut());
    }

    /**
     * Publishes {@link #stats()} over JMX as {@code dev.socketserver:type=Server,name=<name>}, one
     * read-only attribute per field ({@code ActiveRequests}, {@code BytesIn}, ...), until the server
     * is closed.
     *
     * @return the name it was registered under
     * @throws IllegalArgumentException if the name is not usable in an object name or is taken
     */
    @Override
    public ObjectName registerJmx(String name) {
        return jmx.register(name, ServerStats.class, this::stats, "statistics of " + this);
    }

    /** Whether {@link #shutdown(Duration)} is under way. */
    @Override
    public boolean isDraining() {
        return draining;
    }

    // ---- running -------------------------------------------------------------------------------

    /**
     * Starts the event loops and returns.
     *
     * @throws IllegalStateException if already started or closed
     */
    @Override
    public void start() throws IOException {
        synchronized (stateLock) {
            if (state != State.NEW) {
                throw new IllegalStateException(state == State.CLOSED ? "server is closed" : "server is already started");
            }
            loops = new EventLoops(loopCount, socket.useOwnEpoll(), this::loopFailed);
            state = State.RUNNING;
            loops.start();
        }
        scheduleTimeoutScans();
        socket.serve(context, loops.all(), protocols);
    }

    /**
     * Starts (if not started) and blocks until the server is shut down or closed, or has failed.
     *
     * @throws IOException if an event loop's selector failed, which failed the server
     * @throws Error what ended an event loop, such as an {@link OutOfMemoryError} (see
     *     {@link EventLoop}): the server has closed its listening socket and its connections, and
     *     its loops' threads have ended
     */
    @Override
    public void serveForever() throws IOException {
        synchronized (stateLock) {
            if (state == State.NEW) {
                start();
            }
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            return;
        }
        EventLoops running = loops();
        if (running != null) {
            running.throwFailure();   // once every loop's thread has ended, or after a moment
        }
    }

    /**
     * A loop ends by failing (see {@link EventLoop}; {@link EventLoops} has recorded what ended it): the
     * listener closes at once, then the whole server. Runs in the failing loop's thread, before it
     * closes its own channels.
     */
    private void loopFailed(Throwable cause) {
        try {
            socket.closeListener();
            LOG.log(Level.ERROR, "event loop " + Thread.currentThread().getName() + " failed; closing " + serverUri(), cause);
        } catch (Throwable failedAgain) {
            // out of memory again, say: closing goes on
        } finally {
            try {
                close();
            } finally {
                stopped.countDown();
            }
        }
    }

    /** Replaces how connections are accepted; for tests. */
    /** The listener's descriptor when the loops wait through their own epoll, else -1 (JDK selectors); for tests, once started. */
    int listenerDescriptor() {
        return socket.listenerDescriptor();
    }

    void acceptWith(Acceptor.Accepting accepting) {
        socket.acceptWith(accepting);
    }

    /** Makes sure each loop scans its connections for timeouts while an idle timeout or request deadline is set. */
    private void scheduleTimeoutScans() {
        EventLoops running;
        synchronized (stateLock) {
            running = state == State.RUNNING ? loops : null;
        }
        TimeoutScans.schedule(this, running);
    }

    /** The loops, once started (null before). */
    private EventLoops loops() {
        synchronized (stateLock) {
            return loops;
        }
    }

    // ---- stopping ------------------------------------------------------------------------------

    /**
     * Stops accepting (new clients are refused), waits until the open connections have ended or
     * {@code drain} has passed, then closes what is left and stops the loops. Returns when the
     * loops' threads have ended.
     *
     * <p>Connections end at quiet points: when everything delivered to the protocol has been
     * followed by a write, all of that is written, and the client has sent nothing more. A
     * connection quiet for two seconds is closed then; in the last half second of the drain (or its
     * second half, if shorter) every connection is closed at its next quiet point, so clients
     * that send requests back to back end between two of them and lose no reply; only what is
     * still busy at the deadline is cut. The statistics count both
     * ({@link ServerStats#drainQuietCloses()}, {@link ServerStats#drainCuts()}).
     *
     * @return whether every connection ended before the deadline
     */
    @Override
    public boolean shutdown(Duration drain) {
        try {
            return drain(drain);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean drain(Duration drain) throws InterruptedException {
        DrainPlan plan = new DrainPlan(System.nanoTime(), drain);
        synchronized (stateLock) {
            if (state != State.RUNNING) {
                close();
                return true;
            }
            draining = true;
        }
        boolean drained = Drain.await(socket, context, loops, plan);
        close();
        return drained;
    }

    /** Closes the listener and every connection at once and stops the loops; returns when their threads have ended. Idempotent. */
    @Override
    public void close() {
        EventLoops running;
        synchronized (stateLock) {
            if (state == State.CLOSED) {
                return;
            }
            boolean started = state == State.RUNNING;
            state = State.CLOSED;
            running = started ? loops : null;
        }
        jmx.unregister();
        socket.closeFeeder();   // before the loops stop, so connectionLost still runs on one
        if (running == null) {
            socket.closeUnstarted();
        } else {
            running.stopAndAwait();   // each loop aborts its channels, the listener's too, on its way out
            socket.closeListener();
        }
        stopped.countDown();
    }

    @Override
    public String toString() {
        return "AsyncServer[" + serverUri() + "]";
    }
}
