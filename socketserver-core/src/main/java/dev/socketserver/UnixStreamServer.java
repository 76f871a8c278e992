package dev.socketserver;

import dev.socketserver.internal.SocketFiles;
import dev.socketserver.internal.linux.Handover;
import dev.socketserver.internal.linux.InheritedSockets;

import java.io.IOException;
import java.net.BindException;
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
 * <p>Linux's abstract addresses ({@code @name}) are not offered for streams: the JDK's stream
 * channels take filesystem paths only ({@code UnixDomainSocketAddress.of("\0name")} fails with
 * "Nul character not allowed"), and serving them through libc instead would make every read a
 * blocking native call that holds a virtual thread's carrier. {@link UnixDatagramServer} takes
 * abstract names. A path spelt {@code "@name"} is an ordinary file name here.
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

    /** The socket file's path. */
    public final Path path() {
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
