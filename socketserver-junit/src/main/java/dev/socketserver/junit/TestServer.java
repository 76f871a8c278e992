package dev.socketserver.junit;

import dev.socketserver.Concurrency;
import dev.socketserver.ConnectionHandler;
import dev.socketserver.DatagramHandler;
import dev.socketserver.Server;
import dev.socketserver.ServerOptions;
import dev.socketserver.TcpServer;
import dev.socketserver.ThreadModel;
import dev.socketserver.TlsOptions;
import dev.socketserver.UdpServer;
import dev.socketserver.UnixAddress;
import dev.socketserver.UnixDatagramServer;
import dev.socketserver.UnixStreamServer;
import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.DatagramProtocol;
import dev.socketserver.async.Protocol;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A server for a test: serves a handler or protocol on the loopback, on port 0 (or a socket file
 * in a temporary directory), started before the test and closed after it, for any server kind,
 * blocking or event loop.
 *
 * {@snippet :
 * class GreeterTest {
 *     @RegisterExtension
 *     static TestServer server = TestServer.tcp(conn -> conn.out().write("hello\n".getBytes(UTF_8)));
 *
 *     @Test
 *     void greets() throws IOException {
 *         try (Socket socket = new Socket(server.host(), server.port())) {
 *             assertEquals("hello", new BufferedReader(new InputStreamReader(socket.getInputStream())).readLine());
 *         }
 *     }
 * }
 * }
 *
 * <p><b>Lifetime.</b> Registered with {@code @RegisterExtension} on a {@code static} field, the
 * server serves the whole test class (and its {@code @Nested} classes); on an instance field, a
 * new server serves each test method. Without JUnit, {@link #start()} and {@link #close()} do the
 * same by hand.
 *
 * <p><b>Address.</b> {@link #address()}, {@link #uri()}, {@link #host()}, {@link #port()} and
 * {@link #path()} say where it listens; with one {@code TestServer} registered, a test or
 * lifecycle method may also take a {@link SocketAddress}, an {@link InetSocketAddress} (TCP and
 * UDP) or a {@link URI} parameter, and gets this server's.
 *
 * <p><b>Recorded requests.</b> A server the kit builds records what each client sends:
 * {@link #requests()} lists them in order of arrival, one {@link RecordedRequest} per connection
 * or datagram, and {@link #takeRequest()} waits for the next one, as OkHttp's
 * {@code MockWebServer} does. Recordings start afresh with each test. A protocol made by
 * {@code FrameProtocol.framedBy} is served as it is and not recorded (the event loop hands its
 * pending frames back to it alone, which a wrapper would break).
 *
 * <p><b>Scripted replies.</b> Serve a {@link Script}: {@code TestServer.tcp(Script.create().when("PING").reply("PONG"))}.
 *
 * <p><b>Leak check.</b> With {@link #withLeakCheck()}, closing the server fails the test, with a
 * list of what leaked, unless every connection has ended and the JVM's threads and descriptors
 * are back to what they were before the server started.
 *
 * <p><b>TLS.</b> {@link #withTls()} serves with the kit's test certificate ({@link TestTls}), and
 * {@link #sslContext()} gives a client context that trusts it.
 *
 * <p>Configure with the {@code with...} methods before the server starts; they return this server.
 */
public final class TestServer implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback,
        ParameterResolver, AutoCloseable {

    /** How long the kit waits for what should happen soon: a request to arrive or end, a leak to clear. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(5);

    private final KitServer.Kind kind;
    private final Object handler;
    private final Recorder recorder = new Recorder();
    private ThreadModel concurrency = Concurrency.virtualThreads();
    private ServerOptions options = ServerOptions.defaults();
    private boolean tls;
    private boolean leakCheck;

    // the running server; set and cleared by whichever thread starts and closes it
    private volatile Server server;
    private KitServer running;   // the server with what it owns (a temporary directory, a RedisServer)
    private LeakCheck.Snapshot baseline;
    private String startedBy;   // the unique id of the JUnit context that started the server, or null when started by hand

    private TestServer(KitServer.Kind kind, Object handler) {
        this.kind = kind;
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    // ---- kinds -----------------------------------------------------------------------------------

    /** A {@link TcpServer} on 127.0.0.1, port 0, serving {@code handler} on virtual threads. */
    public static TestServer tcp(ConnectionHandler handler) {
        return new TestServer(KitServer.Kind.TCP, handler);
    }

    /** A {@link UnixStreamServer} on a socket file in a new temporary directory, serving {@code handler} on virtual threads. */
    public static TestServer unix(ConnectionHandler handler) {
        return new TestServer(KitServer.Kind.UNIX, handler);
    }

    /** A {@link UdpServer} on 127.0.0.1, port 0, handling each datagram with {@code handler} on virtual threads. */
    public static TestServer udp(DatagramHandler handler) {
        return new TestServer(KitServer.Kind.UDP, handler);
    }

    /** A {@link UnixDatagramServer} on a socket file in a new temporary directory, handling each datagram with {@code handler}. */
    public static TestServer unixgram(DatagramHandler handler) {
        return new TestServer(KitServer.Kind.UNIXGRAM, handler);
    }

    /** An event-loop {@link AsyncServer#tcp TCP server} on 127.0.0.1, port 0, with a protocol from {@code factory} per connection. */
    public static TestServer asyncTcp(Supplier<? extends Protocol> factory) {
        return new TestServer(KitServer.Kind.ASYNC_TCP, factory);
    }

    /** An event-loop {@link AsyncServer#unix Unix stream server} on a socket file in a new temporary directory. */
    public static TestServer asyncUnix(Supplier<? extends Protocol> factory) {
        return new TestServer(KitServer.Kind.ASYNC_UNIX, factory);
    }

    /** An event-loop {@link AsyncServer#udp UDP server} on 127.0.0.1, port 0, serving {@code protocol}. */
    public static TestServer asyncUdp(DatagramProtocol protocol) {
        return new TestServer(KitServer.Kind.ASYNC_UDP, protocol);
    }

    /** An event-loop {@link AsyncServer#unixgram Unix datagram server} on a socket file in a new temporary directory. */
    public static TestServer asyncUnixgram(DatagramProtocol protocol) {
        return new TestServer(KitServer.Kind.ASYNC_UNIXGRAM, protocol);
    }

    /**
     * Any server, built by {@code factory}: class-shaped handlers, a process model, options
     * beyond the kit's. The kit starts and closes it and checks it for leaks if asked, but cannot
     * record its requests.
     *
     * {@snippet :
     * @RegisterExtension
     * static TestServer server = TestServer.of(dir -> new TcpServer(TestServer.loopback(), Handler::new, Concurrency.threads()));
     * }
     */
    public static TestServer of(ServerFactory factory) {
        return new TestServer(KitServer.Kind.CUSTOM, factory);
    }

    /**
     * The Redis-compatible server of {@code socketserver-redis} (RESP2, in memory; see its
     * {@code RedisServer}), in this JVM on 127.0.0.1 and a free port: a test of a Redis client
     * needs no {@code redis-server} binary or container. Add {@code dev.socketserver:socketserver-redis}
     * as a test dependency beside the kit. Its data lives as long as the server (the class or the
     * method, as for any {@code TestServer}); its requests are not recorded.
     *
     * {@snippet :
     * @RegisterExtension
     * static TestServer redis = TestServer.redis();
     *
     * @Test
     * void caches() {
     *     try (var jedis = new Jedis(redis.host(), redis.port())) {
     *         jedis.set("k", "v");
     *     }
     * }
     * }
     *
     * @throws IllegalStateException if {@code socketserver-redis} is not on the class or module path
     */
    public static TestServer redis() {
        if (!RedisKit.available()) {
            throw new IllegalStateException("TestServer.redis() needs the module socketserver-redis: "
                    + "add dev.socketserver:socketserver-redis as a test dependency");
        }
        return new TestServer(KitServer.Kind.REDIS, "redis");   // the handler slot is not used: RedisKit builds the server
    }

    /** 127.0.0.1 (the loopback), port 0: where the kit's TCP and UDP servers bind. */
    public static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    // ---- configuration -----------------------------------------------------------------------------

    /**
     * Runs requests in {@code model} instead of on virtual threads (blocking servers only).
     *
     * @throws IllegalStateException on an event-loop or {@link #of} server, or once started
     */
    public TestServer withConcurrency(ThreadModel model) {
        requireNotStarted();
        if (!kind.blocking()) {
            throw new IllegalStateException("only the blocking servers take a thread model; an event-loop server runs its callbacks on its loops");
        }
        concurrency = Objects.requireNonNull(model, "model");
        return this;
    }

    /** Builds the server with {@code options} (timeouts, limits, PROXY protocol, TLS of your own, ...). */
    public TestServer withOptions(ServerOptions options) {
        requireNotStarted();
        this.options = Objects.requireNonNull(options, "options");
        return this;
    }

    /**
     * Serves TLS with the kit's test certificate (over what {@link #withOptions} gave), on a stream
     * server; {@link #sslContext()} then trusts it.
     */
    public TestServer withTls() {
        requireNotStarted();
        tls = true;
        return this;
    }

    /**
     * Checks for leaks when the server closes: every connection must have ended (within
     * {@link #DEFAULT_WAIT}), and the threads and descriptors the JVM had before the server started
     * must be all it has once it closed; otherwise closing fails with what leaked. The baseline
     * is taken before the server starts, so what the test itself leaves open counts too.
     */
    public TestServer withLeakCheck() {
        requireNotStarted();
        leakCheck = true;
        return this;
    }

    // ---- lifecycle ---------------------------------------------------------------------------------

    /**
     * Builds the server and starts it in the background; JUnit calls this for a registered
     * extension.
     *
     * @return this server
     * @throws IllegalStateException if it is already running
     * @throws IOException if it cannot bind
     */
    public synchronized TestServer start() throws IOException {
        requireNotStarted();
        recorder.clear();
        baseline = leakCheck ? LeakCheck.baseline() : null;
        KitServer built = KitServer.build(kind, handler, recorder, concurrency, effectiveOptions());
        try {
            built.server().start();
        } catch (IOException | RuntimeException | Error e) {
            built.close();
            throw e;
        }
        running = built;
        server = built.server();
        return this;
    }

    /**
     * Closes the server (at once: open connections are closed) and deletes its temporary
     * directory. Idempotent.
     *
     * @throws AssertionError with {@link #withLeakCheck()}, if something leaked: the message lists it
     */
    @Override
    public synchronized void close() {
        Server serving = server;
        if (serving == null) {
            return;
        }
        List<String> leaks = new ArrayList<>();
        try {
            if (leakCheck) {
                long deadline = System.nanoTime() + DEFAULT_WAIT.toNanos();
                while (serving.activeRequests() > 0 && System.nanoTime() - deadline < 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                if (serving.activeRequests() > 0) {
                    leaks.add(serving.activeRequests() + " request(s) still running " + DEFAULT_WAIT.toMillis() + " ms after the test"
                            + (kind.recorded() ? ": " + recorder.open() : ""));
                }
            }
        } finally {
            server = null;
            KitServer closing = running;
            running = null;
            closing.close();
        }
        if (leakCheck) {
            leaks.addAll(LeakCheck.leaksSince(baseline, DEFAULT_WAIT));
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("the test server " + serving.serverUri() + " leaked:\n  " + String.join("\n  ", leaks));
        }
    }

    /** Starts the server for a test class, when registered on a static field. */
    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        startFor(context);
    }

    /** Starts the server for one test, when registered on an instance field; else clears the recorded requests. */
    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (server != null) {
            recorder.clear();
        } else {
            startFor(context);
        }
    }

    /** Closes a server started for this test. */
    @Override
    public void afterEach(ExtensionContext context) {
        closeFor(context);
    }

    /** Closes a server started for this test class. */
    @Override
    public void afterAll(ExtensionContext context) {
        closeFor(context);
    }

    private synchronized void startFor(ExtensionContext context) throws IOException {
        if (server == null) {
            start();
            startedBy = context.getUniqueId();
        }
    }

    private synchronized void closeFor(ExtensionContext context) {
        if (server != null && context.getUniqueId().equals(startedBy)) {
            startedBy = null;
            close();
        }
    }

    // ---- parameters --------------------------------------------------------------------------------

    /** Whether a parameter asks for this server's address: a {@link SocketAddress}, an {@link InetSocketAddress} or a {@link URI}. */
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Server running = server;
        if (running == null) {
            return false;
        }
        Class<?> type = parameter.getParameter().getType();
        return type == SocketAddress.class || type == URI.class
                || (type == InetSocketAddress.class && running.serverAddress() instanceof InetSocketAddress);
    }

    /** This server's address, of the parameter's type. */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == URI.class ? uri() : address();
    }

    // ---- address -----------------------------------------------------------------------------------

    /** The running server, for what this class does not repeat: {@code stats()}, {@code options()}, {@code registerJmx}, ... */
    public Server server() {
        Server running = server;
        if (running == null) {
            throw new IllegalStateException("the test server is not running: register it with @RegisterExtension, or call start()");
        }
        return running;
    }

    /** Where the server listens: an {@link InetSocketAddress} with its real port, a {@link UnixDomainSocketAddress}, or a {@link UnixAddress}. */
    public SocketAddress address() {
        return server().serverAddress();
    }

    /** The address as a URI: {@code tcp://127.0.0.1:41234}, {@code udp://...}, {@code unix:/tmp/.../s.sock}, {@code unixgram:/tmp/...}. */
    public URI uri() {
        return URI.create(server().serverUri());
    }

    /** The IP address the server listens on, as text: {@code 127.0.0.1}. */
    public String host() {
        return inet().getAddress().getHostAddress();
    }

    /** The port the server listens on. */
    public int port() {
        return inet().getPort();
    }

    /** The socket file of a Unix server. */
    public Path path() {
        return switch (address()) {
            case UnixDomainSocketAddress unix -> unix.getPath();
            case UnixAddress unix when !unix.isAbstract() -> unix.path();
            case SocketAddress other -> throw new IllegalStateException("the server at " + other + " has no socket file");
        };
    }

    private InetSocketAddress inet() {
        if (address() instanceof InetSocketAddress inet) {
            return inet;
        }
        throw new IllegalStateException("the server at " + server().serverUri() + " has no host and port; use path()");
    }

    // ---- TLS ---------------------------------------------------------------------------------------

    /**
     * A client context that trusts the server's certificate, on a server with {@link #withTls()}.
     *
     * @throws IllegalStateException if the server does not serve the kit's certificate; for a
     *     certificate of your own, use {@link TestTls#trusting(Path)}
     */
    public SSLContext sslContext() {
        if (!tls) {
            throw new IllegalStateException("the test server does not serve the kit's certificate: call withTls(), "
                    + "or trust your own certificate with TestTls.trusting(pemFile)");
        }
        return TestTls.trustingTestCertificate();
    }

    /** {@link #sslContext()}'s socket factory: {@code server.sslSocketFactory().createSocket(server.host(), server.port())}. */
    public SSLSocketFactory sslSocketFactory() {
        return sslContext().getSocketFactory();
    }

    // ---- recorded requests -------------------------------------------------------------------------

    /** The requests since the test began, in order of arrival: one per connection, or per datagram. */
    public List<RecordedRequest> requests() {
        requireRecorded();
        return recorder.all();
    }

    /** {@link #takeRequest(Duration)} with {@link #DEFAULT_WAIT}. */
    public RecordedRequest takeRequest() {
        return takeRequest(DEFAULT_WAIT);
    }

    /**
     * The next request not taken yet, in order of arrival, waiting up to {@code timeout} for it to
     * arrive. It may still be open: {@link RecordedRequest#awaitEnd()} waits for all its bytes.
     *
     * @throws AssertionError if none arrives within {@code timeout}
     */
    public RecordedRequest takeRequest(Duration timeout) {
        requireRecorded();
        return recorder.take(timeout);
    }

    @Override
    public String toString() {
        Server running = server;
        return "TestServer " + (running != null ? running.serverUri() : kind.name().toLowerCase() + " (not running)");
    }

    // ---- building ----------------------------------------------------------------------------------

    private ServerOptions effectiveOptions() {
        return tls ? options.toBuilder().tls(TlsOptions.of(TestTls.serverContext())).build() : options;
    }

    private void requireNotStarted() {
        if (server != null) {
            throw new IllegalStateException("the test server is running already; configure it before it starts");
        }
    }

    private void requireRecorded() {
        if (!kind.recorded()) {
            throw new IllegalStateException("a server built by TestServer.of(...) or redis() is not recorded; serve the handler with "
                    + "TestServer.tcp, udp, unix, unixgram or their async forms to record its requests");
        }
    }
}
