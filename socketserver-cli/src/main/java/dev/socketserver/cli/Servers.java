package dev.socketserver.cli;

import dev.socketserver.BaseServer;
import dev.socketserver.Concurrency;
import dev.socketserver.TcpServer;
import dev.socketserver.UdpServer;
import dev.socketserver.UnixStreamServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Opens the server a {@link ListenAddress} names, bound and ready to serve. */
final class Servers {
    private Servers() {
    }

    /**
     * Binds a server for {@code address} that runs {@code service} under {@code concurrency}. A UDP
     * server receives datagrams of any size UDP carries, so nothing is truncated.
     *
     * @throws java.net.BindException if the address is in use (the message starts with the address)
     * @throws UnknownHostException if the host name does not resolve
     */
    static BaseServer<?> open(ListenAddress address, Service service, Concurrency concurrency) throws IOException {
        return switch (address) {
            case ListenAddress.Tcp(String host, int port) ->
                    new TcpServer(resolve(address, host, port), service.onConnection(), concurrency);
            case ListenAddress.Udp(String host, int port) -> {
                var server = new UdpServer(resolve(address, host, port), service.onDatagram(), concurrency);
                server.setMaxPacketSize(UdpServer.MAX_UDP_PAYLOAD);
                yield server;
            }
            case ListenAddress.Unix(var path) -> new UnixStreamServer(path, service.onConnection(), concurrency);
        };
    }

    /**
     * The address the server is bound to, as {@code --listen} writes it, with the real port. Not
     * the core's {@code serverUri()}, which writes IPv6 in full ({@code [0:0:0:0:0:0:0:1]}).
     */
    static String uri(BaseServer<?> server) {
        String scheme = switch (server) {
            case TcpServer tcp -> "tcp";
            case UnixStreamServer unix -> "unix";
            case UdpServer udp -> "udp";
            default -> throw new IllegalArgumentException("no address form for " + server);
        };
        return AddressText.uri(scheme, server.serverAddress());
    }

    private static InetSocketAddress resolve(ListenAddress address, String host, int port) throws UnknownHostException {
        var resolved = new InetSocketAddress(host, port);
        if (resolved.isUnresolved()) {
            throw new UnknownHostException(address + ": unknown host '" + host + "'");
        }
        return resolved;
    }
}
