package dev.socketserver;

import dev.socketserver.internal.WorkerProcess;
import dev.socketserver.internal.linux.InheritedSockets;
import dev.socketserver.internal.linux.InheritedSockets.Inherited;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A socket that systemd passed to this process: socket activation, where the service manager
 * binds the address ({@code ListenStream=}, {@code ListenDatagram=} in a {@code .socket} unit),
 * holds it while the service restarts, and starts the service on the first client. Any manager
 * that speaks systemd's protocol works the same way ({@code systemd-socket-activate}, for one):
 * descriptors from 3 on, described by {@code LISTEN_PID}, {@code LISTEN_FDS} and
 * {@code LISTEN_FDNAMES}, read as {@code sd_listen_fds(3)} reads them (only when
 * {@code LISTEN_PID} is this process; the variables are removed afterwards, so that children do
 * not take the sockets for theirs).
 *
 * <p>A server built for the {@link #address()} of an inherited socket serves that socket instead
 * of binding a new one; every server kind and family does, and so do worker processes (which
 * serve their supervisor's socket). Settings that apply when a socket is bound (backlog, address
 * and port reuse, the socket file's permissions) are then the service manager's, and a Unix
 * socket file is left in place when the server closes.
 *
 * {@snippet :
 * SystemdSocket socket = SystemdSocket.named("web");   // FileDescriptorName=web, or SystemdSocket.only()
 * try (var server = new TcpServer((InetSocketAddress) socket.address(), handler)) {
 *     server.serveForever();
 * }
 * }
 *
 * <p>The command does the same with {@code --listen systemd:} or {@code --listen systemd:NAME}.
 */
public final class SystemdSocket {

    /** What kind of server serves the socket. */
    public enum Kind {
        /** A listening TCP socket: {@link TcpServer}, {@code AsyncServer.tcp}. Its address is an {@link InetSocketAddress}. */
        TCP,
        /** A UDP socket: {@link UdpServer}, {@code AsyncServer.udp}. Its address is an {@link InetSocketAddress}. */
        UDP,
        /** A listening Unix stream socket: {@link UnixStreamServer}, {@code AsyncServer.unix}. Its address is a {@link UnixDomainSocketAddress}. */
        UNIX_STREAM,
        /** A Unix datagram socket: {@link UnixDatagramServer}, {@code AsyncServer.unixgram}. Its address is a {@link UnixAddress}. */
        UNIX_DATAGRAM
    }

    private final String name;
    private final Kind kind;
    private final SocketAddress address;

    private SystemdSocket(String name, Kind kind, SocketAddress address) {
        this.name = name;
        this.kind = kind;
        this.address = address;
    }

    /**
     * The one socket passed to this process.
     *
     * @throws IOException if none was passed, or several (then choose with {@link #named}), or it
     *     is not a socket a server here can serve (a connected socket of {@code Accept=yes}, a FIFO,
     *     an abstract Unix stream name); the message says which
     */
    public static SystemdSocket only() throws IOException {
        if (WorkerProcess.isWorker()) {
            return supervisorsSocket("");
        }
        List<Inherited> passed = InheritedSockets.all();
        if (passed.isEmpty()) {
            throw new IOException("no socket from systemd: " + InheritedSockets.whyNone());
        }
        if (passed.size() > 1) {
            throw new IOException("systemd passed " + passed.size() + " sockets (" + names(passed)
                    + "): choose one by its FileDescriptorName (systemd:NAME)");
        }
        return servable(passed.getFirst());
    }

    /**
     * The socket passed to this process under {@code name} ({@code FileDescriptorName=} in the
     * socket unit; systemd names a socket after its unit when the unit gives no name).
     *
     * @throws IOException if no socket of that name was passed, or it is not one a server here can serve
     */
    public static SystemdSocket named(String name) throws IOException {
        Objects.requireNonNull(name, "name");
        if (WorkerProcess.isWorker()) {
            return supervisorsSocket(name);
        }
        List<Inherited> passed = InheritedSockets.all();
        if (passed.isEmpty()) {
            throw new IOException("no socket from systemd: " + InheritedSockets.whyNone());
        }
        List<Inherited> matching = passed.stream().filter(socket -> socket.name().equals(name)).toList();
        if (matching.isEmpty()) {
            throw new IOException("systemd passed no socket named '" + name + "' (it passed " + names(passed) + ")");
        }
        if (matching.size() > 1) {
            throw new IOException("systemd passed " + matching.size() + " sockets named '" + name + "': give each its own FileDescriptorName");
        }
        return servable(matching.getFirst());
    }

    /**
     * Whether systemd passed one connected socket instead of listening ones: {@code Accept=yes},
     * where systemd accepts and starts a process for each connection (as inetd does), which
     * {@link InheritedConnection#serveOne} then serves.
     */
    public static boolean passedConnection() throws IOException {
        List<Inherited> passed = InheritedSockets.all();
        return passed.size() == 1 && passed.getFirst().kind() == InheritedSockets.Kind.CONNECTION;
    }

    /** What kind of server serves it. */
    public Kind kind() {
        return kind;
    }

    /** Its name ({@code FileDescriptorName=}). */
    public String name() {
        return name;
    }

    /**
     * Where it is bound: build the server of its {@link #kind()} for this address, and the server
     * serves this socket.
     */
    public SocketAddress address() {
        return address;
    }

    /** The name and the address, as in {@code web tcp 127.0.0.1:8080}. */
    @Override
    public String toString() {
        return name + " " + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + address;
    }

    private static SystemdSocket servable(Inherited socket) throws IOException {
        Kind kind = switch (socket.kind()) {
            case TCP -> Kind.TCP;
            case UDP -> Kind.UDP;
            case UNIX_STREAM -> Kind.UNIX_STREAM;
            case UNIX_DATAGRAM -> Kind.UNIX_DATAGRAM;
            case CONNECTION -> throw new IOException("systemd passed a connected socket as descriptor " + socket.fd()
                    + " ('" + socket.name() + "'): that is Accept=yes, a process per connection, "
                    + "which InheritedConnection.serve serves (or use Accept=no for a listening socket)");
            case OTHER -> throw new IOException("descriptor " + socket.fd() + " ('" + socket.name() + "') from systemd is "
                    + socket.description() + ", not a socket a server here can serve");
        };
        return new SystemdSocket(socket.name(), kind, socket.address());
    }

    /** In a worker process: the listening socket the supervisor handed over, which the worker's server serves whatever the address. */
    private static SystemdSocket supervisorsSocket(String name) throws IOException {
        Channel inherited = System.inheritedChannel();
        if (!(inherited instanceof ServerSocketChannel listener)) {
            throw new IOException("this worker process has no listening socket from its supervisor on standard input (got " + inherited + ")");
        }
        SocketAddress local = listener.getLocalAddress();
        return new SystemdSocket(name, local instanceof InetSocketAddress ? Kind.TCP : Kind.UNIX_STREAM, local);
    }

    private static String names(List<Inherited> passed) {
        return passed.stream().map(socket -> "'" + socket.name() + "'").collect(Collectors.joining(", "));
    }
}
