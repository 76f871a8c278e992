package dev.socketserver;

import dev.socketserver.internal.OptionChecks;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A TCP server, IPv4 or IPv6: Python's {@code TCPServer}. Bound to the IPv6 wildcard {@code ::}
 * it serves IPv4 clients too.
 *
 * {@snippet :
 * try (var server = new TcpServer(new InetSocketAddress(9000), Handler::new, Concurrency.threads())) {
 *     server.serveForever();
 * }
 * }
 *
 * <p>The constructor binds and listens, with the {@link ServerOptions} given (backlog, address
 * reuse, TLS, ...) in place before the bind. Port 0 picks a free port, which {@link #serverAddress()} then reports. Subclass to override the
 * hooks of {@link BaseServer}.
 */
public non-sealed class TcpServer extends StreamServer {
    /** A TCP server with class-shaped handlers, on virtual threads. */
    public TcpServer(InetSocketAddress address, Supplier<? extends BaseRequestHandler<Connection>> handlerFactory) throws IOException {
        this(address, handlerFactory, Concurrency.virtualThreads());
    }

    /** A TCP server with class-shaped handlers. */
    public TcpServer(InetSocketAddress address, Supplier<? extends BaseRequestHandler<Connection>> handlerFactory,
                     Concurrency concurrency) throws IOException {
        this(address, handlerFactory, concurrency, ServerOptions.defaults());
    }

    /**
     * A TCP server with class-shaped handlers, configured by {@code options}.
     *
     * @throws IllegalArgumentException if {@code options} hold a setting a TCP server cannot honour
     *     (socket-file bits), or TLS or the PROXY protocol with a process per connection
     * @throws java.net.BindException if the address is in use; the message names the address
     */
    public TcpServer(InetSocketAddress address, Supplier<? extends BaseRequestHandler<Connection>> handlerFactory,
                     Concurrency concurrency, ServerOptions options) throws IOException {
        super("tcp", Objects.requireNonNull(address, "address"), family(address), handlerFactory, concurrency);
        configureAndBind(options);
    }

    /** A TCP server with a function as handler, on virtual threads. */
    public TcpServer(InetSocketAddress address, ConnectionHandler handler) throws IOException {
        this(address, FunctionHandlers.of(handler), Concurrency.virtualThreads());
    }

    /** A TCP server with a function as handler. */
    public TcpServer(InetSocketAddress address, ConnectionHandler handler, Concurrency concurrency) throws IOException {
        this(address, FunctionHandlers.of(handler), concurrency);
    }

    /** A TCP server with a function as handler, configured by {@code options}; see {@link ServerOptions}. */
    public TcpServer(InetSocketAddress address, ConnectionHandler handler, Concurrency concurrency, ServerOptions options) throws IOException {
        this(address, FunctionHandlers.of(handler), concurrency, options);
    }

    @Override
    void applyOptions(ServerOptions options) throws IOException {
        OptionChecks.requireNoSocketFile(options, "a TCP server");
        super.applyOptions(options);
    }

    /**
     * Serves {@code handler} on {@code port} of the loopback address (127.0.0.1), on virtual
     * threads, until the JVM ends. The six-line server:
     *
     * {@snippet :
     * TcpServer.serve(9000, conn -> conn.in().transferTo(conn.out()));   // echo
     * }
     *
     * Only this machine can connect: with no address given, nothing is exposed by accident. To
     * serve other machines, name the address, {@code new TcpServer(new InetSocketAddress(9000),
     * handler)} for every interface.
     */
    public static void serve(int port, ConnectionHandler handler) throws IOException {
        try (var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), handler)) {
            server.serveForever();
        }
    }

    private static StandardProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    @Override
    void beforeBind(ServerSocketChannel channel) throws IOException {
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, options().reuseAddress());
        if (options().reusePort()) {
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
    }
}
