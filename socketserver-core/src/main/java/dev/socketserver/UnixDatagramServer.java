package dev.socketserver;

import dev.socketserver.internal.OptionChecks;
import dev.socketserver.internal.linux.UnixDatagramEndpoint;

import java.io.IOException;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A Unix-domain datagram server: Python's {@code UnixDatagramServer}, which the JDK cannot make,
 * built on libc through the Foreign Function and Memory API (Linux; no JNI, nothing to compile).
 * The JVM needs {@code --enable-native-access=ALL-UNNAMED} (or this module's name) to run it
 * without a warning.
 *
 * {@snippet :
 * new UnixDatagramServer(UnixAddress.of(Path.of("/run/echo.sock")), d -> d.reply(d.data())).serveForever();
 * }
 *
 * <ul>
 *   <li>The address is a socket file or an abstract name ({@link UnixAddress#ofAbstract}).</li>
 *   <li>Replies go to the sender's bound address. A datagram from a sender that has no address
 *       (an unbound client) is still handled; a {@link DatagramRequestHandler}'s reply to it is
 *       dropped with one log line, and {@link Datagram#reply} throws an {@code IOException}
 *       saying "client has no address to reply to".</li>
 *   <li>Socket files: a stale one is replaced, a live one or a file that is not a socket is
 *       refused, {@link #close()} removes the file, and {@link ServerOptions.Builder#socketPermissions} sets its
 *       mode before any client can send.</li>
 *   <li>Datagrams up to {@link #maxPacketSize()} (64 KiB by default) arrive whole; longer ones are
 *       truncated and counted. Native memory is one arena per socket, reused for every datagram.</li>
 *   <li>{@link #shutdown()} wakes a waiting serving thread at once. The wait is a native
 *       {@code poll}, so serve from a platform thread: in a virtual thread it holds its carrier.</li>
 * </ul>
 */
public non-sealed class UnixDatagramServer extends DatagramServer {
    /** The default maximum datagram size: 64 KiB. */
    public static final int DEFAULT_MAX_PACKET_SIZE = 64 * 1024;
    /** The largest settable maximum datagram size. */
    public static final int MAX_PACKET_SIZE_LIMIT = 4 * 1024 * 1024;

    private final UnixDatagramEndpoint endpoint;
    private final UnixAddress requestedAddress;
    private volatile boolean bound;
    private volatile boolean activated;

    /** A Unix datagram server with class-shaped handlers, on virtual threads. */
    public UnixDatagramServer(UnixAddress address, Supplier<? extends BaseRequestHandler<Datagram>> handlerFactory) throws IOException {
        this(address, handlerFactory, Concurrency.virtualThreads());
    }

    /** A Unix datagram server with class-shaped handlers. */
    public UnixDatagramServer(UnixAddress address, Supplier<? extends BaseRequestHandler<Datagram>> handlerFactory,
                              ThreadModel concurrency) throws IOException {
        this(address, handlerFactory, concurrency, ServerOptions.defaults());
    }

    /**
     * A Unix datagram server with class-shaped handlers, configured by {@code options}; their
     * {@code socketPermissions} are in place before any client can send. Without them the umask decides.
     *
     * @throws IllegalArgumentException if {@code options} hold a setting of connections (TLS, the
     *     PROXY protocol, timeouts), or socket-file bits for an abstract name, which has no file
     * @throws java.net.BindException if a live server or a file that is not a socket holds the path
     * @throws IOException if the system refuses; the message names the call, the address and the
     *     errno, such as {@code bind unixgram:/run/x.sock: EACCES (Permission denied)}
     */
    public UnixDatagramServer(UnixAddress address, Supplier<? extends BaseRequestHandler<Datagram>> handlerFactory,
                              ThreadModel concurrency, ServerOptions options) throws IOException {
        super(handlerFactory, concurrency, DEFAULT_MAX_PACKET_SIZE);
        this.requestedAddress = Objects.requireNonNull(address, "address");
        this.endpoint = UnixDatagramEndpoint.open();
        configureAndBind(options);
    }

    /** A Unix datagram server with a function as handler, on virtual threads. */
    public UnixDatagramServer(UnixAddress address, DatagramHandler handler) throws IOException {
        this(address, FunctionHandlers.of(handler), Concurrency.virtualThreads());
    }

    /** A Unix datagram server with a function as handler. */
    public UnixDatagramServer(UnixAddress address, DatagramHandler handler, ThreadModel concurrency) throws IOException {
        this(address, FunctionHandlers.of(handler), concurrency);
    }

    /** A Unix datagram server with a function as handler, configured by {@code options}; see {@link ServerOptions}. */
    public UnixDatagramServer(UnixAddress address, DatagramHandler handler, ThreadModel concurrency, ServerOptions options)
            throws IOException {
        this(address, FunctionHandlers.of(handler), concurrency, options);
    }

    @Override
    void applyOptions(ServerOptions options) throws IOException {
        OptionChecks.requireNoConnectionSettings(options, "a Unix datagram server");
        if (requestedAddress.isAbstract()) {
            OptionChecks.requireNoSocketFile(options, "an abstract Unix address (@" + requestedAddress.name() + ")");
        }
        super.applyOptions(options);
    }

    @Override
    int packetSizeLimit() {
        return MAX_PACKET_SIZE_LIMIT;
    }

    @Override
    public void serverBind() throws IOException {
        if (bound) {
            throw new IllegalStateException("server is already bound to " + serverAddress());
        }
        if (!endpoint.adoptInherited(requestedAddress)) {
            endpoint.bind(requestedAddress, options().socketPermissions());
        }
        bound = true;
    }

    /** Marks the server ready to serve; a datagram socket has nothing to listen for. */
    @Override
    public void serverActivate() throws IOException {
        if (!bound) {
            throw new IllegalStateException("serverActivate() needs a bound socket: call serverBind() first");
        }
        activated = true;
    }

    /** The bound address (the requested one before binding). */
    @Override
    public final UnixAddress serverAddress() {
        UnixAddress local = endpoint.isOpen() ? endpoint.localAddress() : null;
        return local != null ? local : requestedAddress;
    }

    /** The address as the command line writes it: {@code unixgram:/path} or {@code unixgram:@name}. */
    public final String serverUri() {
        return "unixgram:" + serverAddress();
    }

    @Override
    protected Datagram getRequest() throws IOException {
        int max = maxPacketSize();
        UnixDatagramEndpoint.Received received = endpoint.receive(max);
        if (received == null) {
            return null;
        }
        if (received.truncated()) {
            countTruncated();
        }
        counters.bytesIn.add(received.data().length);
        return new Datagram(received.data(), received.sender(), received.truncated(), (buffer, target) -> {
            counters.bytesOut.add(buffer.remaining());
            endpoint.send(buffer, (UnixAddress) target);
        });
    }

    /** Closes the socket and removes its file. */
    @Override
    protected void serverClose() throws IOException {
        endpoint.close();
    }

    @Override
    final boolean awaitReady(long timeoutNanos) throws IOException {
        return endpoint.awaitReadable(timeoutNanos);
    }

    @Override
    final void wakeUp() {
        endpoint.wakeUp();
    }

    @Override
    final boolean isActivated() {
        return activated;
    }
}
