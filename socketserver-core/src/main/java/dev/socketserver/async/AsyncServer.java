package dev.socketserver.async;

import dev.socketserver.Server;
import dev.socketserver.ServerOptions;
import dev.socketserver.ServerStats;
import dev.socketserver.TlsOptions;
import dev.socketserver.UnixAddress;
import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.DrainPlan;
import dev.socketserver.internal.OptionChecks;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.ProxyAdmission;
import dev.socketserver.internal.RateLimitedLog;
import dev.socketserver.internal.TlsPolicy;
import dev.socketserver.internal.ServerCounters;
import dev.socketserver.internal.StatsMBean;
import dev.socketserver.internal.linux.UnixDatagramEndpoint;
import dev.socketserver.internal.SocketFiles;

import javax.management.JMException;
import javax.management.ObjectName;
import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
    private static final System.Logger SERVER_LOG = System.getLogger(Loggers.SERVER);
    private static final System.Logger ACCEPT_LOG = System.getLogger(Loggers.ACCEPT);
    private static final System.Logger TLS_LOG = System.getLogger(Loggers.TLS);
    private static final int ACCEPTS_PER_WAKEUP = 64;

    private static final long FIRST_ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_ACCEPT_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    private enum State { NEW, RUNNING, CLOSED }

    private final String scheme;
    private final ServerSocketChannel listener;         // stream servers
    private final DatagramChannel datagramChannel;      // UDP servers
    private final UnixDatagramFeeder unixgram;          // Unix datagram servers
    private final Supplier<? extends Protocol> protocols;
    private final DatagramProtocol datagramProtocol;
    private final Path socketFile;
    private final SocketAddress address;
    private final AtomicInteger openConnections = new AtomicInteger();
    final ServerCounters counters = new ServerCounters();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object stateLock = new Object();

    private int loopCount = Runtime.getRuntime().availableProcessors();
    private ServerOptions options = ServerOptions.defaults();   // set once, by the factory
    private State state = State.NEW;                   // guarded by stateLock
    private EventLoop[] loops;
    private int nextLoop;                              // accepting loop only
    private final RateLimitedLog acceptErrorLog = new RateLimitedLog(ACCEPT_LOG, Duration.ofSeconds(1));
    private volatile Acceptor acceptor;                // set on the accepting loop once it listens
    private volatile Accepting accepting = ServerSocketChannel::accept;
    // volatile: options that may change while serving, read by the loops
    private volatile boolean draining;
    private volatile int maxConnections;
    private volatile Duration idleTimeout;
    private volatile ObjectName jmxName;
    private final ProxyAdmission proxyAdmission = new ProxyAdmission(counters);
    private final RateLimitedLog tlsFailures = new RateLimitedLog(TLS_LOG, Duration.ofSeconds(1));
    private final RateLimitedLog writeLimitLog = new RateLimitedLog(System.getLogger(Loggers.REQUEST), Duration.ofSeconds(1));
    private final TlsPolicy tlsPolicy = new TlsPolicy(counters);
    private final AtomicBoolean listenerOpen = new AtomicBoolean(true);
    /** What ended a loop, failing the server as a whole; null while it serves. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private AsyncServer(String scheme, ServerSocketChannel listener, DatagramChannel datagramChannel,
                        Supplier<? extends Protocol> protocols, DatagramProtocol datagramProtocol, Path socketFile) throws IOException {
        this(scheme, listener, datagramChannel, null, protocols, datagramProtocol, socketFile,
                listener != null ? listener.getLocalAddress() : datagramChannel.getLocalAddress());
    }

    private AsyncServer(String scheme, ServerSocketChannel listener, DatagramChannel datagramChannel, UnixDatagramFeeder unixgram,
                        Supplier<? extends Protocol> protocols, DatagramProtocol datagramProtocol, Path socketFile,
                        SocketAddress address) {
        this.unixgram = unixgram;
        this.scheme = scheme;
        this.listener = listener;
        this.datagramChannel = datagramChannel;
        this.protocols = protocols;
        this.datagramProtocol = datagramProtocol;
        this.socketFile = socketFile;
        this.address = address;
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
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        OptionChecks.requireNoSocketFile(options, "a TCP server");
        ServerSocketChannel channel = ServerSocketChannel.open(family(address));
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
            if (options.reusePort()) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            bind(() -> channel.bind(address, options.backlog()), "tcp", address);
            return new AsyncServer("tcp", channel, null, protocolFactory, null, null).configured(options);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
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
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            Set<PosixFilePermission> permissions = options.socketPermissions();
            if (permissions == null) {
                SocketFiles.prepareStreamBind(path);
                bind(() -> channel.bind(address, options.backlog()), "unix", address);
            } else {
                SocketFiles.bindWithPermissions(path, permissions,
                        staging -> bind(() -> channel.bind(staging, options.backlog()), "unix", address));
            }
            return new AsyncServer("unix", channel, null, null, protocolFactory, null, path, address).configured(options);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
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
        Objects.requireNonNull(protocol, "protocol");
        requireDatagramOptions(options, "an event-loop UDP server");
        OptionChecks.requireNoSocketFile(options, "a UDP server");
        DatagramChannel channel = DatagramChannel.open(family(address));
        try {
            if (options.reusePort()) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            bind(() -> channel.bind(address), "udp", address);
            return new AsyncServer("udp", null, channel, null, protocol, null).configured(options);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
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
        Objects.requireNonNull(protocol, "protocol");
        requireDatagramOptions(options, "an event-loop Unix datagram server");
        if (address.isAbstract()) {
            OptionChecks.requireNoSocketFile(options, "an abstract Unix address (@" + address.name() + ")");
        }
        UnixDatagramEndpoint endpoint = UnixDatagramEndpoint.open();
        try {
            endpoint.bind(address, options.socketPermissions());
            return new AsyncServer("unixgram", null, null, new UnixDatagramFeeder(endpoint, protocol), null, protocol, null,
                    endpoint.localAddress()).configured(options);
        } catch (IOException | RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }

    private static void requireDatagramOptions(ServerOptions options, String server) {
        OptionChecks.requireNoConnectionSettings(options, server);
        if (options.maxConnections() != 0) {
            throw new IllegalArgumentException("maxConnections applies to connections, and " + server
                    + " has none: it handles one datagram at a time on its loop");
        }
    }

    /** Applies the settings of connections; the socket's own were applied when it was bound. */
    private AsyncServer configured(ServerOptions options) {
        this.options = options;
        setMaxConnections(options.maxConnections());
        setIdleTimeout(options.idleTimeout());
        proxyAdmission.configure(options.proxyProtocol());
        scheduleTimeoutScans();
        return this;
    }

    private static void bind(Addresses.Bind bind, String scheme, SocketAddress address) throws IOException {
        Addresses.bind(scheme, address, bind);
    }

    private static StandardProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    // ---- options -------------------------------------------------------------------------------

    /** Sets how many event loops (threads) to run; default: the number of processors. Before {@link #start()}. */
    public void setEventLoops(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("an async server needs at least 1 event loop, got " + count);
        }
        requireNew("event loops");
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
        this.idleTimeout = positiveOrNull(timeout, "idle timeout");
        scheduleTimeoutScans();
    }

    /** The idle timeout, or {@code null} for none. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The request deadline of the options, or {@code null} for none. */
    public Duration requestDeadline() {
        return options.requestDeadline();
    }

    /** The options this server was built with; the connection limit and the idle timeout may since have changed. */
    @Override
    public ServerOptions options() {
        return options;
    }

    private static Duration positiveOrNull(Duration d, String what) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException(what + " must be positive, or null for none; got " + d);
        }
        return d;
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
        this.maxConnections = max;
        Acceptor a = acceptor;
        if (a != null) {
            a.loop.execute(a::updateInterest);
        }
    }

    /** The cap set by {@link #setMaxConnections(int)}, 0 for none. */
    public int maxConnections() {
        return maxConnections;
    }

    SSLContext sslContext() {
        TlsOptions tls = options.tls();
        return tls == null ? null : tls.context();
    }

    boolean tlsNeedClientAuth() {
        return options.tls().needClientAuth();
    }

    Duration tlsHandshakeDeadline() {
        return options.tls().handshakeDeadline();
    }

    List<String> tlsApplicationProtocols() {
        return options.tls().applicationProtocols();
    }

    TlsPolicy tlsPolicy() {
        return tlsPolicy;
    }

    void tlsHandshakeFailed(Supplier<String> message) {
        counters.tlsHandshakeFailures.increment();
        tlsFailures.log(Level.WARNING, message);
    }

    /** A connection is closed: its protocol kept writing while paused, past the write-buffer limit. */
    void writeBufferLimitPassed(Supplier<String> message) {
        counters.writeBufferLimitCloses.increment();
        writeLimitLog.log(Level.WARNING, message);
    }

    /** A connection closed because a timeout or deadline passed. */
    void countTimeout() {
        counters.timeouts.increment();
    }

    ProxyAdmission proxyAdmission() {
        return proxyAdmission;
    }

    int lowWaterMark() {
        return options.lowWaterMark();
    }

    int highWaterMark() {
        return options.highWaterMark();
    }

    long writeBufferLimit() {
        return options.writeBufferLimit();
    }

    private void requireNew(String option) {
        synchronized (stateLock) {
            if (state != State.NEW) {
                throw new IllegalStateException(option + " must be set before start()");
            }
        }
    }

    /** The bound address; after binding port 0, the port the system chose. */
    @Override
    public SocketAddress serverAddress() {
        return address;
    }

    /** The address as the command line writes it: {@code tcp://127.0.0.1:9000}, {@code udp://…}, {@code unix:/path}. */
    @Override
    public String serverUri() {
        return unixgram != null ? "unixgram:" + address : Addresses.uri(scheme, address);
    }

    /** The number of open stream connections: the requests of an event-loop server. */
    @Override
    public int activeRequests() {
        return openConnections.get();
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
        long in = counters.bytesIn.sum();
        long out = counters.bytesOut.sum();
        EventLoop[] running;
        synchronized (stateLock) {
            running = loops;
        }
        if (running != null) {
            for (EventLoop loop : running) {
                in += loop.bytesIn();
                out += loop.bytesOut();
            }
        }
        return counters.snapshot(openConnections.get(), in, out);
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

    void countHandlerError() {
        counters.handlerErrors.increment();
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
            EventLoop[] created = new EventLoop[loopCount];
            try {
                for (int i = 0; i < loopCount; i++) {
                    created[i] = new EventLoop("socketserver-loop-" + i, this::loopFailed);
                }
            } catch (IOException e) {
                for (EventLoop loop : created) {
                    if (loop != null) {
                        loop.selector().close();
                    }
                }
                throw e;
            }
            loops = created;
            state = State.RUNNING;
            for (EventLoop loop : loops) {
                loop.start();
            }
        }
        scheduleTimeoutScans();
        EventLoop first = loops[0];
        if (listener != null) {
            first.execute(() -> registerListener(first));
        } else if (unixgram != null) {
            first.execute(() -> unixgram.start(first, counters));
        } else {
            first.execute(() -> new DatagramEndpoint(first, datagramChannel, datagramProtocol, counters).open());
        }
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
        Throwable failed = failure.get();
        if (failed == null) {
            return;
        }
        awaitLoops();
        switch (failed) {
            case Error e -> throw e;
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            default -> throw new IOException("event loop failed", failed);
        }
    }

    /**
     * A loop ends by failing (see {@link EventLoop}): the listener closes at once, then the whole
     * server. Runs in the failing loop's thread, before it closes its own channels.
     */
    private void loopFailed(Throwable cause) {
        failure.compareAndSet(null, cause);
        try {
            closeListener();
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

    /** Waits a moment for every loop's thread to end, after a failure closed the server. */
    private void awaitLoops() {
        EventLoop[] running;
        synchronized (stateLock) {
            running = loops;
        }
        if (running == null) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            for (EventLoop loop : running) {
                loop.awaitTermination(deadline - System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How the acceptor takes a connection from the listener: a seam for tests that inject accept errors. */
    interface Accepting {
        SocketChannel accept(ServerSocketChannel listener) throws IOException;
    }

    /** Replaces how connections are accepted; for tests. */
    void acceptWith(Accepting accepting) {
        this.accepting = Objects.requireNonNull(accepting, "accepting");
    }

    private void registerListener(EventLoop loop) {
        try {
            listener.configureBlocking(false);
            Acceptor a = new Acceptor(loop);
            a.key = listener.register(loop.selector(), SelectionKey.OP_ACCEPT, a);
            acceptor = a;
            a.updateInterest();   // a cap may have been set before
        } catch (IOException e) {
            ACCEPT_LOG.log(Level.ERROR, "cannot accept on " + serverUri(), e);
        }
    }

    /**
     * Accepts on the first loop and deals connections to the loops in turn. It is interested in
     * accepts unless the connection cap is reached or a failed accept is backing off.
     */
    private final class Acceptor implements EventLoop.LoopChannel {
        private final EventLoop loop;
        private SelectionKey key;
        private long backoffNanos;          // 0 while accepts succeed
        private boolean backingOff;
        // volatile: a connection closing on another loop reads it to decide whether to wake the acceptor
        private volatile boolean atCap;

        Acceptor(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public void ready(SelectionKey key) {
            for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
                if (capReached()) {
                    pauseAtCap();
                    return;
                }
                SocketChannel accepted;
                try {
                    accepted = accepting.accept(listener);
                } catch (IOException e) {
                    acceptFailed(e);
                    return;
                }
                if (accepted == null) {
                    return;
                }
                backoffNanos = 0;
                openConnections.incrementAndGet();
                counters.accepted.increment();
                counters.requests.increment();
                EventLoop target = loops[nextLoop];
                nextLoop = (nextLoop + 1) % loops.length;
                try {
                    StreamConnection connection = new StreamConnection(AsyncServer.this, target, accepted, protocols);
                    if (target == loop) {
                        openHere(connection);
                    } else {
                        target.execute(connection);
                    }
                } catch (IOException | RuntimeException e) {
                    openConnections.decrementAndGet();
                    counters.closed.increment();
                    ACCEPT_LOG.log(Level.DEBUG, () -> "dropping a new connection on " + serverUri() + ": " + e);
                    try {
                        accepted.close();
                    } catch (IOException ignored) {
                        // already gone
                    }
                }
            }
        }

        /** Opens a connection dealt to this loop: a failure of its protocol closes that connection, not the listener. */
        private void openHere(StreamConnection connection) {
            try {
                connection.open();
            } catch (Error e) {
                if (e instanceof VirtualMachineError) {
                    throw e;   // fatal to the server: see EventLoop
                }
                LOG.log(Level.ERROR, "unexpected failure in " + connection, e);
                connection.abort(e);
            }
        }

        private boolean capReached() {
            int max = maxConnections;
            return max > 0 && openConnections.get() >= max;
        }

        /** Stops accepting at the cap. The flag is set before the count is read again, and a closing connection lowers the count before it reads the flag: one of them sees the other. */
        private void pauseAtCap() {
            atCap = true;
            if (capReached()) {
                updateInterest();
            } else {
                atCap = false;
            }
        }

        /** Accepts again if neither the cap nor a backoff stands in the way. Runs on the acceptor's loop. */
        void updateInterest() {
            if (atCap && !capReached()) {
                atCap = false;
            }
            if (key.isValid()) {
                key.interestOps(atCap || backingOff ? 0 : SelectionKey.OP_ACCEPT);
            }
        }

        /** Too many open files and the like: log at most once a second, and stop accepting for a growing moment instead of spinning. */
        private void acceptFailed(IOException e) {
            if (!listener.isOpen()) {
                return;
            }
            counters.acceptErrors.increment();
            backoffNanos = backoffNanos == 0 ? FIRST_ACCEPT_BACKOFF_NANOS : Math.min(backoffNanos * 2, MAX_ACCEPT_BACKOFF_NANOS);
            long backoffMillis = backoffNanos / 1_000_000;
            acceptErrorLog.log(Level.WARNING, () -> "accept on " + serverUri() + " failed, retrying in " + backoffMillis + " ms: " + e);
            backingOff = true;
            updateInterest();
            loop.schedule(Duration.ofNanos(backoffNanos), () -> {
                backingOff = false;
                updateInterest();
            });
        }

        /** A connection closed: if accepting paused at the cap, look again. Any thread. */
        void connectionClosed() {
            if (atCap) {
                loop.execute(this::updateInterest);
            }
        }

        @Override
        public void abort(Throwable cause) {
            closeListener();
        }
    }

    /** A connection counted at accept has closed. Runs on its loop. */
    void connectionClosed(StreamConnection connection) {
        openConnections.decrementAndGet();
        counters.closed.increment();
        Acceptor a = acceptor;
        if (a != null) {
            a.connectionClosed();
        }
    }

    /** Makes sure each loop scans its connections for timeouts while an idle timeout or request deadline is set. */
    private void scheduleTimeoutScans() {
        EventLoop[] running;
        synchronized (stateLock) {
            running = state == State.RUNNING ? loops : null;
        }
        if (running == null || (idleTimeout == null && options.requestDeadline() == null)) {
            return;
        }
        for (EventLoop loop : running) {
            loop.execute(() -> {
                if (!loop.timeoutScanScheduled) {
                    loop.timeoutScanScheduled = true;
                    scanForTimeouts(loop);
                }
            });
        }
    }

    /** Closes the loop's connections that are idle or past their deadline, and comes back in a quarter of the shorter one (10 ms to 1 s). */
    private void scanForTimeouts(EventLoop loop) {
        Duration idle = idleTimeout;
        Duration deadline = options.requestDeadline();
        if (idle == null && deadline == null) {
            loop.timeoutScanScheduled = false;
            return;
        }
        long idleNanos = idle == null ? 0 : idle.toNanos();
        long deadlineNanos = deadline == null ? 0 : deadline.toNanos();
        long now = System.nanoTime();
        for (EventLoop.LoopChannel channel : loop.channels()) {
            if (channel instanceof StreamConnection connection) {
                connection.checkTimeouts(now, idleNanos, deadlineNanos);
            }
        }
        long shortest = Math.min(idle == null ? Long.MAX_VALUE : idleNanos, deadline == null ? Long.MAX_VALUE : deadlineNanos);
        long period = Math.clamp(shortest / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1));
        loop.schedule(Duration.ofNanos(period), () -> scanForTimeouts(loop));
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
        EventLoop first = loops[0];
        CountDownLatch listenerClosed = new CountDownLatch(1);
        first.execute(() -> {
            closeListener();
            listenerClosed.countDown();
        });
        listenerClosed.await(1, TimeUnit.SECONDS);
        boolean drained = true;
        if (datagramChannel == null && unixgram == null) {
            while (openConnections.get() > 0 && failure.get() == null) {
                long now = System.nanoTime();
                for (EventLoop loop : loops) {
                    loop.execute(() -> drainLook(loop, plan));
                }
                if (now - plan.deadlineNanos() >= 0) {
                    counters.drainCuts.add(openConnections.get());
                    drained = false;
                    break;
                }
                TimeUnit.NANOSECONDS.sleep(plan.nextLookNanos(now) - now);
            }
        }
        close();
        return drained;
    }

    /** Ends the loop's quiet connections; see {@link DrainPlan}. Runs on the loop. */
    private static void drainLook(EventLoop loop, DrainPlan plan) {
        long now = System.nanoTime();
        for (EventLoop.LoopChannel channel : loop.channels()) {
            if (channel instanceof StreamConnection connection) {
                connection.drainLook(plan, now);
            }
        }
    }

    /** Closes the listener and every connection at once and stops the loops; returns when their threads have ended. Idempotent. */
    @Override
    public void close() {
        EventLoop[] running;
        synchronized (stateLock) {
            if (state == State.CLOSED) {
                return;
            }
            boolean started = state == State.RUNNING;
            state = State.CLOSED;
            running = started ? loops : null;
        }
        ObjectName registered = jmxName;
        if (registered != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(registered);
            } catch (JMException e) {
                SERVER_LOG.log(Level.DEBUG, "unregistering " + registered + " failed", e);
            }
        }
        if (unixgram != null) {
            unixgram.close();   // before the loops stop, so connectionLost still runs on one
        }
        if (running == null) {
            closeListener();
            if (datagramChannel != null) {
                try {
                    datagramChannel.close();
                } catch (IOException e) {
                    // nothing left to release
                }
            }
        } else {
            for (EventLoop loop : running) {
                loop.stop();   // each loop aborts its channels, the listener's too, on its way out
            }
            for (EventLoop loop : running) {
                try {
                    loop.awaitTermination(TimeUnit.SECONDS.toNanos(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            closeListener();
        }
        stopped.countDown();
    }

    private void closeListener() {
        if (listener == null || !listenerOpen.compareAndSet(true, false)) {
            return;
        }
        try {
            listener.close();
        } catch (IOException e) {
            // nothing left to release
        }
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                SERVER_LOG.log(Level.WARNING, "could not remove socket file " + socketFile + ": " + e);
            }
        }
    }

    @Override
    public String toString() {
        return "AsyncServer[" + serverUri() + "]";
    }
}
