package dev.socketserver;

import dev.socketserver.internal.SocketFiles;
import dev.socketserver.internal.linux.Handover;
import dev.socketserver.internal.linux.InheritedSockets;

import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A Unix-domain stream server on a socket file: Python's {@code UnixStreamServer}, with its
 * socket-file pitfalls fixed.
 *
 * <ul>
 *   <li>A stale socket file, left by a server that died, is replaced.</li>
 *   <li>A path that is not a socket, or the socket of a live server, is refused with a
 *       {@link BindException} that says which.</li>
 *   <li>{@link #close()} removes the socket file.</li>
 * </ul>
 *
 * <p>A client that did not bind its own socket has an empty path as {@link Connection#clientAddress()}.
 *
 * <p>Linux's abstract addresses ({@code @name}, no file: gone with the socket, and reached by
 * anyone in the network namespace) come as a {@link UnixAddress}:
 * {@code new UnixStreamServer(UnixAddress.ofAbstract("name"), handler, concurrency, options)}.
 * The JDK's channels bind file paths only, so the socket is bound through libc and then served by
 * a JDK channel as usual; a connection's {@link Connection#localAddress()} is then an empty path. A
 * {@link Path} spelt {@code "@name"} is an ordinary file name.
 */
public non-sealed class UnixStreamServer extends StreamServer {
    private volatile boolean ownsFile;

    /** A Unix stream server with class-shaped handlers, on virtual threads. */
    public UnixStreamServer(Path path, Supplier<? extends BaseRequestHandler<Connection>> handlerFactory) throws IOException {
        this(path, handlerFactory, Concurrency.virtualThreads());
    }

    /** A Unix stream server with class-shaped handlers. */
    public UnixStreamServer(Path path, Supplier<? extends BaseRequestHandler<Connection>> handlerFactory,
                            Concurrency concurrency) throws IOException {
        this(path, handlerFactory, concurrency, ServerOptions.defaults());
    }

    /**
     * A Unix stream server with class-shaped handlers, configured by {@code options}; their
     * {@code socketPermissions} are in place before any client can connect (the socket is bound in
     * a private directory beside the path, given its bits there, and renamed into place). Without
     * them the umask decides.
     *
     * @throws BindException if the path is taken by a live server or by a file that is not a socket
     * @throws IllegalArgumentException if {@code options} hold TLS or the PROXY protocol with a process per connection
     */
    public UnixStreamServer(Path path, Supplier<? extends BaseRequestHandler<Connection>> handlerFactory,
                            Concurrency concurrency, ServerOptions options) throws IOException {
        super("unix", UnixDomainSocketAddress.of(Objects.requireNonNull(path, "path")), StandardProtocolFamily.UNIX,
                handlerFactory, concurrency);
        configureAndBind(options);
    }

    /**
     * A Unix stream server at a socket file or, for {@link UnixAddress#ofAbstract}, an abstract
     * name, with class-shaped handlers, configured by {@code options}.
     *
     * @throws BindException if the file is taken as for a path, or the abstract name is taken
     * @throws IllegalArgumentException if {@code options} ask for socket permissions on an abstract name, which has no file
     */
    public UnixStreamServer(UnixAddress address, Supplier<? extends BaseRequestHandler<Connection>> handlerFactory,
                            Concurrency concurrency, ServerOptions options) throws IOException {
        super("unix", bindable(address, options), StandardProtocolFamily.UNIX, handlerFactory, concurrency);
        configureAndBind(options);
    }

    /** {@link #UnixStreamServer(UnixAddress, Supplier, Concurrency, ServerOptions)} with a function as handler. */
    public UnixStreamServer(UnixAddress address, ConnectionHandler handler, Concurrency concurrency, ServerOptions options) throws IOException {
        this(address, FunctionHandlers.of(handler), concurrency, options);
    }

    private static SocketAddress bindable(UnixAddress address, ServerOptions options) {
        Objects.requireNonNull(address, "address");
        if (!address.isAbstract()) {
            return UnixDomainSocketAddress.of(address.path());
        }
        if (options.socketPermissions() != null) {
            throw new IllegalArgumentException("socket permissions apply to a socket file; the abstract name " + address + " has none");
        }
        return address;
    }

    /** A Unix stream server with a function as handler, on virtual threads. */
    public UnixStreamServer(Path path, ConnectionHandler handler) throws IOException {
        this(path, FunctionHandlers.of(handler), Concurrency.virtualThreads());
    }

    /** A Unix stream server with a function as handler. */
    public UnixStreamServer(Path path, ConnectionHandler handler, Concurrency concurrency) throws IOException {
        this(path, FunctionHandlers.of(handler), concurrency);
    }

    /** A Unix stream server with a function as handler, configured by {@code options}; see {@link ServerOptions}. */
    public UnixStreamServer(Path path, ConnectionHandler handler, Concurrency concurrency, ServerOptions options) throws IOException {
        this(path, FunctionHandlers.of(handler), concurrency, options);
    }

    /**
     * The socket file's path.
     *
     * @throws IllegalStateException if the server is at an abstract name, which has no file
     */
    public final Path path() {
        if (serverAddress() instanceof UnixAddress name) {
            throw new IllegalStateException("unix:" + name + " is an abstract name, not a socket file");
        }
        return ((UnixDomainSocketAddress) serverAddress()).getPath();
    }

    @Override
    void beforeBind(ServerSocketChannel channel) throws IOException {
        SocketFiles.prepareStreamBind(path());
    }

    @Override
    public void serverBind() throws IOException {
        if (adoptedListener()) {
            return;   // a worker serves its supervisor's socket, and leaves the file to it
        }
        if (serveInheritedSocket()) {
            ownsFile = InheritedSockets.fromPredecessor();   // the service manager made the file, and keeps it; a predecessor's is ours now
            return;
        }
        if (serverAddress() instanceof UnixAddress name) {
            bindAbstract(name);
            return;   // no file to own
        }
        Set<PosixFilePermission> permissions = options().socketPermissions();
        if (permissions == null) {
            super.serverBind();
        } else {
            bindPrivatelyThenMove(path(), permissions);
        }
        ownsFile = true;
    }

    private void bindPrivatelyThenMove(Path target, Set<PosixFilePermission> bits) throws IOException {
        requireUnbound("serverBind()");
        SocketFiles.bindWithPermissions(target, bits, this::bindChannel);
        boundAddressMoved(UnixDomainSocketAddress.of(target));
    }

    /** Closes the listening socket and removes the socket file. */
    @Override
    protected void serverClose() throws IOException {
        try {
            super.serverClose();
        } finally {
            if (ownsFile) {
                ownsFile = false;
                if (!Handover.handedOver(path())) {   // else a successor serves it
                    Files.deleteIfExists(path());
                }
            }
        }
    }
}
