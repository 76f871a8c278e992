package dev.socketserver.cli;

import dev.socketserver.BaseServer;
import dev.socketserver.Server;
import dev.socketserver.StreamServer;
import dev.socketserver.Tls;
import dev.socketserver.TcpServer;
import dev.socketserver.UdpServer;
import dev.socketserver.UnixDatagramServer;
import dev.socketserver.UnixStreamServer;
import dev.socketserver.async.AsyncServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** Opens the server that a {@link ListenAddress} and a {@link Mode} name, bound and ready to serve. */
final class Servers {
    private Servers() {
    }

    /**
     * Binds a server for {@code address} that runs {@code service} in {@code mode}, with the
     * production options applied. Datagram servers receive datagrams of any size their transport
     * carries, so nothing is truncated.
     *
     * @throws java.net.BindException if the address is in use (the message starts with the address)
     * @throws UnknownHostException if the host name does not resolve
     * @throws IllegalArgumentException if an option does not apply to this kind of server
     */
    static Server open(ListenAddress address, Service service, Mode mode, ServerOptions options) throws IOException {
        if (mode instanceof Mode.Async(int loops)) {
            return openAsync(address, service, loops, options);
        }
        var concurrency = ((Mode.Blocking) mode).concurrency();
        Set<PosixFilePermission> socketPermissions = socketPermissions(address, options);
        BaseServer<?> server = switch (address) {
            case ListenAddress.Tcp(String host, int port) -> new TcpServer(resolve(address, host, port), service.onConnection(), concurrency);
            case ListenAddress.Unix(var path) -> {
                if (socketPermissions == null) {
                    yield new UnixStreamServer(path, service.onConnection(), concurrency);
                }
                var unix = new UnixStreamServer(path, service.onConnection(), concurrency, false);
                unix.setSocketPermissions(socketPermissions);
                yield bound(unix);
            }
            case ListenAddress.Udp(String host, int port) -> {
                var udp = new UdpServer(resolve(address, host, port), service.onDatagram(), concurrency);
                udp.setMaxPacketSize(UdpServer.MAX_UDP_PAYLOAD);
                yield udp;
            }
            case ListenAddress.Unixgram(var unixAddress) -> {
                if (socketPermissions == null) {
                    yield new UnixDatagramServer(unixAddress, service.onDatagram(), concurrency);
                }
                var unixgram = new UnixDatagramServer(unixAddress, service.onDatagram(), concurrency, false);
                unixgram.setSocketPermissions(socketPermissions);
                yield bound(unixgram);
            }
        };
        try {
            applyOptions(server, options);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Binds and activates a server built unbound, closing it if either fails. */
    private static BaseServer<?> bound(BaseServer<?> server) throws IOException {
        try {
            server.serverBind();
            server.serverActivate();
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The bits of {@code --socket-mode}, or null without it; refused where there is no socket file. */
    private static Set<PosixFilePermission> socketPermissions(ListenAddress address, ServerOptions options) {
        if (options.socketMode == null) {
            return null;
        }
        boolean file = address instanceof ListenAddress.Unix
                || address instanceof ListenAddress.Unixgram(var unixAddress) && !unixAddress.isAbstract();
        if (!file) {
            throw new IllegalArgumentException("--socket-mode applies to a socket file (unix:PATH, unixgram:PATH), not to " + address);
        }
        return SocketFileModes.parse(options.socketMode);
    }

    private static void refuseStreamOptionsForDatagrams(boolean stream, ServerOptions options) {
        if (!stream && (options.idleTimeout != null || options.requestDeadline != null || options.tlsCertificate != null
                || options.proxyProtocol)) {
            throw new IllegalArgumentException("--idle-timeout, --request-deadline, --tls-cert and --proxy-protocol apply to stream servers "
                    + "(tcp://, unix:), not to datagrams");
        }
    }

    private static void applyOptions(BaseServer<?> server, ServerOptions options) throws IOException {
        if (options.maxConnections > 0) {
            server.setMaxConnections(options.maxConnections);
        }
        refuseStreamOptionsForDatagrams(server instanceof StreamServer, options);
        if (server instanceof StreamServer streamServer) {
            if (options.idleTimeout != null) {
                streamServer.setIdleTimeout(options.idleTimeout);
            }
            if (options.requestDeadline != null) {
                streamServer.setRequestDeadline(options.requestDeadline);
            }
            if ((options.tlsCertificate == null) != (options.tlsKey == null)) {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together");
            }
            if (options.tlsCertificate != null) {
                streamServer.setSslContext(Tls.fromPem(options.tlsCertificate, options.tlsKey));
            }
            if (options.proxyProtocol) {
                streamServer.setProxyProtocol(options.trusted);
            }
        }
    }

    private static Server openAsync(ListenAddress address, Service service, int loops, ServerOptions options) throws IOException {
        Set<PosixFilePermission> socketPermissions = socketPermissions(address, options);
        AsyncServer server = switch (address) {
            case ListenAddress.Tcp(String host, int port) -> AsyncServer.tcp(resolve(address, host, port), service.asyncConnection());
            case ListenAddress.Unix(var path) -> AsyncServer.unix(path, socketPermissions, service.asyncConnection());
            case ListenAddress.Udp(String host, int port) -> AsyncServer.udp(resolve(address, host, port), service.asyncDatagrams().get());
            case ListenAddress.Unixgram(var unixAddress) -> AsyncServer.unixgram(unixAddress, socketPermissions, service.asyncDatagrams().get());
        };
        try {
            if (loops > 0) {
                server.setEventLoops(loops);
            }
            applyAsyncOptions(server, address, options);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static void applyAsyncOptions(AsyncServer server, ListenAddress address, ServerOptions options) throws IOException {
        boolean stream = address instanceof ListenAddress.Tcp || address instanceof ListenAddress.Unix;
        refuseStreamOptionsForDatagrams(stream, options);
        if (!stream && options.maxConnections > 0) {
            throw new IllegalArgumentException("--max-connections with --concurrency async applies to stream servers (tcp://, unix:): "
                    + "an async datagram server handles one datagram at a time");
        }
        if (options.maxConnections > 0) {
            server.setMaxConnections(options.maxConnections);
        }
        if (options.idleTimeout != null) {
            server.setIdleTimeout(options.idleTimeout);
        }
        if (options.requestDeadline != null) {
            server.setRequestDeadline(options.requestDeadline);
        }
        if ((options.tlsCertificate == null) != (options.tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (options.tlsCertificate != null) {
            server.setSslContext(Tls.fromPem(options.tlsCertificate, options.tlsKey));
        }
        if (options.proxyProtocol) {
            server.setProxyProtocol(options.trusted);
        }
    }

    private static InetSocketAddress resolve(ListenAddress address, String host, int port) throws UnknownHostException {
        var resolved = new InetSocketAddress(host, port);
        if (resolved.isUnresolved()) {
            throw new UnknownHostException(address + ": unknown host '" + host + "'");
        }
        return resolved;
    }
}
