package dev.socketserver.cli;

import dev.socketserver.Concurrency;
import dev.socketserver.ProxyProtocol;
import dev.socketserver.Server;
import dev.socketserver.ServerOptions;
import dev.socketserver.TcpServer;
import dev.socketserver.ThreadModel;
import dev.socketserver.TlsOptions;
import dev.socketserver.UdpServer;
import dev.socketserver.UnixDatagramServer;
import dev.socketserver.UnixStreamServer;
import dev.socketserver.async.AsyncServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Opens the server that a {@link ListenAddress} and a {@link Mode} name, bound and ready to serve,
 * configured by one {@link ServerOptions} built from the flags: the same value for either family,
 * which refuses what a server kind cannot honour.
 */
final class Servers {
    private Servers() {
    }

    /**
     * Binds a server for {@code address} that runs {@code service} in {@code mode}. Datagram
     * servers receive datagrams of any size their transport carries, so nothing is truncated.
     *
     * @throws java.net.BindException if the address is in use (the message starts with the address)
     * @throws UnknownHostException if the host name does not resolve
     * @throws IllegalArgumentException if a flag does not apply to this kind of server
     */
    static Server open(ListenAddress address, Service service, Mode mode, ServeFlags flags) throws IOException {
        ServerOptions options = options(address, flags);
        if (mode instanceof Mode.Async(int loops)) {
            AsyncServer server = switch (address) {
                case ListenAddress.Tcp(String host, int port) -> AsyncServer.tcp(resolve(address, host, port), service.asyncConnection(), options);
                case ListenAddress.Unix(var unixAddress) -> AsyncServer.unix(unixAddress, service.asyncConnection(), options);
                case ListenAddress.Udp(String host, int port) -> AsyncServer.udp(resolve(address, host, port), service.asyncDatagrams().get(), options);
                case ListenAddress.Unixgram(var unixAddress) -> AsyncServer.unixgram(unixAddress, service.asyncDatagrams().get(), options);
                case ListenAddress.Systemd systemd -> throw unresolved(systemd);
                case ListenAddress.OneConnection one -> throw new IllegalStateException(one + " has no server: ServerCommand serves it");
            };
            if (loops > 0) {
                server.setEventLoops(loops);
            }
            return server;
        }
        Concurrency concurrency = ((Mode.Blocking) mode).concurrency();
        return switch (address) {
            case ListenAddress.Tcp(String host, int port) -> new TcpServer(resolve(address, host, port), service.onConnection(), concurrency, options);
            case ListenAddress.Unix(var unixAddress) -> new UnixStreamServer(unixAddress, service.onConnection(), concurrency, options);
            case ListenAddress.Udp(String host, int port) -> {
                var udp = new UdpServer(resolve(address, host, port), service.onDatagram(), threadsFor(concurrency), options);
                udp.setMaxPacketSize(UdpServer.MAX_UDP_PAYLOAD);
                yield udp;
            }
            case ListenAddress.Unixgram(var unixAddress) -> new UnixDatagramServer(unixAddress, service.onDatagram(), threadsFor(concurrency), options);
            case ListenAddress.Systemd systemd -> throw unresolved(systemd);
            case ListenAddress.OneConnection one -> throw new IllegalStateException(one + " has no server: ServerCommand serves it");
        };
    }

    private static IllegalStateException unresolved(ListenAddress.Systemd systemd) {
        return new IllegalStateException(systemd + " reached Servers.open unresolved: call ListenAddress.resolved() first");
    }

    /** Datagram servers take thread models only: a datagram has no connection to hand to another process. */
    private static ThreadModel threadsFor(Concurrency concurrency) {
        if (concurrency instanceof ThreadModel threads) {
            return threads;
        }
        throw new IllegalArgumentException("worker processes serve stream servers (tcp://, unix:), not datagram servers: "
                + "a datagram has no connection to hand to another process; use sync, threads, virtual or bounded:N");
    }

    /** The flags as one options value; flags that no server at {@code address} can honour are refused here, in the flags' own words. */
    static ServerOptions options(ListenAddress address, ServeFlags flags) throws IOException {
        boolean stream = address instanceof ListenAddress.Tcp || address instanceof ListenAddress.Unix;
        if (!stream && (flags.idleTimeout != null || flags.requestDeadline != null || flags.tlsCertificate != null || flags.proxyProtocol)) {
            throw new IllegalArgumentException("--idle-timeout, --request-deadline, --tls-cert and --proxy-protocol apply to stream servers "
                    + "(tcp://, unix:), not to datagrams");
        }
        if (!stream && flags.maxConnections > 0 && flags.concurrency instanceof Mode.Async) {
            throw new IllegalArgumentException("--max-connections with --concurrency async applies to stream servers (tcp://, unix:): "
                    + "an async datagram server handles one datagram at a time");
        }
        if ((flags.tlsCertificate == null) != (flags.tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        var options = ServerOptions.builder()
                .maxConnections(flags.maxConnections)
                .idleTimeout(flags.idleTimeout)
                .requestDeadline(flags.requestDeadline);
        if (flags.tlsCertificate != null) {
            options.tls(TlsOptions.fromPem(flags.tlsCertificate, flags.tlsKey));
        }
        if (flags.proxyProtocol) {
            options.proxyProtocol(ProxyProtocol.from(flags.trusted));
        }
        if (flags.socketMode != null) {
            boolean file = switch (address) {
                case ListenAddress.Unix(var socketFile) -> !socketFile.isAbstract();
                case ListenAddress.Unixgram(var datagram) -> !datagram.isAbstract();
                default -> false;
            };
            if (!file) {
                throw new IllegalArgumentException("--socket-mode applies to a socket file (unix:PATH, unixgram:PATH), not to " + address);
            }
            options.socketPermissions(SocketFileModes.parse(flags.socketMode));
        }
        return options.build();
    }

    static InetSocketAddress resolve(ListenAddress address, String host, int port) throws UnknownHostException {
        var resolved = new InetSocketAddress(host, port);
        if (resolved.isUnresolved()) {
            throw new UnknownHostException(address + ": unknown host '" + host + "'");
        }
        return resolved;
    }
}
