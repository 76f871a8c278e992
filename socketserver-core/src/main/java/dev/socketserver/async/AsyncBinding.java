package dev.socketserver.async;

import dev.socketserver.ServerOptions;
import dev.socketserver.UnixAddress;
import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.OptionChecks;
import dev.socketserver.internal.SocketFiles;
import dev.socketserver.internal.linux.AbstractStreamListener;
import dev.socketserver.internal.linux.InheritedSockets;
import dev.socketserver.internal.linux.UnixDatagramEndpoint;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the static factories of {@link AsyncServer} do: check the options against the kind of
 * socket (TCP, Unix stream, UDP, Unix datagram), open and bind it with the socket's own options,
 * and make the server on it, closing the socket if any of that fails. Runs in the thread that
 * calls the factory.
 */
final class AsyncBinding {
    private AsyncBinding() {
    }

    /** See {@link AsyncServer#tcp(InetSocketAddress, Supplier, ServerOptions)}. */
    static AsyncServer tcp(InetSocketAddress address, Supplier<? extends Protocol> protocolFactory, ServerOptions options)
            throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        OptionChecks.requireNoSocketFile(options, "a TCP server");
        ServerSocketChannel channel = ServerSocketChannel.open(InheritedSockets.family(address, family(address)));
        try {
            Optional<SocketAddress> inherited = InheritedSockets.adopt(channel, address);
            if (inherited.isPresent()) {
                return new AsyncServer(BoundSocket.listener("tcp", channel, null, inherited.get()), protocolFactory, options);
            }
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
            if (options.reusePort()) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            bind(() -> channel.bind(address, options.backlog()), "tcp", address);
            return new AsyncServer(BoundSocket.listener("tcp", channel, null, channel.getLocalAddress()), protocolFactory, options);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** See {@link AsyncServer#unix(Path, Supplier, ServerOptions)}. */
    static AsyncServer unix(Path path, Supplier<? extends Protocol> protocolFactory, ServerOptions options) throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            Optional<SocketAddress> inherited = InheritedSockets.adopt(channel, address);
            if (inherited.isPresent()) {   // the service manager made the file, and keeps it; a predecessor's is ours now
                Path file = InheritedSockets.fromPredecessor() ? path : null;
                return new AsyncServer(BoundSocket.listener("unix", channel, file, inherited.get()), protocolFactory, options);
            }
            Set<PosixFilePermission> permissions = options.socketPermissions();
            if (permissions == null) {
                SocketFiles.prepareStreamBind(path);
                bind(() -> channel.bind(address, options.backlog()), "unix", address);
            } else {
                SocketFiles.bindWithPermissions(path, permissions,
                        staging -> bind(() -> channel.bind(staging, options.backlog()), "unix", address));
            }
            return new AsyncServer(BoundSocket.listener("unix", channel, path, address), protocolFactory, options);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** See {@link AsyncServer#unix(UnixAddress, Supplier, ServerOptions)}: an abstract name, bound through libc. */
    static AsyncServer unixAbstract(UnixAddress address, Supplier<? extends Protocol> protocolFactory, ServerOptions options) throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        if (options.socketPermissions() != null) {
            throw new IllegalArgumentException("socket permissions apply to a socket file; the abstract name " + address + " has none");
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            Optional<SocketAddress> inherited = InheritedSockets.adopt(channel, address);
            if (inherited.isEmpty()) {
                AbstractStreamListener.bind(channel, address, options.backlog());
            }
            return new AsyncServer(BoundSocket.listener("unix", channel, null, inherited.orElse(address)), protocolFactory, options);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** See {@link AsyncServer#udp(InetSocketAddress, DatagramProtocol, ServerOptions)}. */
    static AsyncServer udp(InetSocketAddress address, DatagramProtocol protocol, ServerOptions options) throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        requireDatagramOptions(options, "an event-loop UDP server");
        OptionChecks.requireNoSocketFile(options, "a UDP server");
        DatagramChannel channel = DatagramChannel.open(InheritedSockets.family(address, family(address)));
        try {
            Optional<SocketAddress> inherited = InheritedSockets.adopt(channel, address);
            if (inherited.isPresent()) {
                return new AsyncServer(BoundSocket.udp(channel, protocol, inherited.get()), null, options);
            }
            if (options.reusePort()) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            bind(() -> channel.bind(address), "udp", address);
            return new AsyncServer(BoundSocket.udp(channel, protocol, channel.getLocalAddress()), null, options);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** See {@link AsyncServer#unixgram(UnixAddress, DatagramProtocol, ServerOptions)}. */
    static AsyncServer unixgram(UnixAddress address, DatagramProtocol protocol, ServerOptions options) throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        requireDatagramOptions(options, "an event-loop Unix datagram server");
        if (address.isAbstract()) {
            OptionChecks.requireNoSocketFile(options, "an abstract Unix address (@" + address.name() + ")");
        }
        UnixDatagramEndpoint endpoint = UnixDatagramEndpoint.open();
        try {
            if (!endpoint.adoptInherited(address)) {
                endpoint.bind(address, options.socketPermissions());
            }
            return new AsyncServer(BoundSocket.unixgram(new UnixDatagramFeeder(endpoint, protocol), endpoint.localAddress()),
                    null, options);
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

    private static void bind(Addresses.Bind bind, String scheme, SocketAddress address) throws IOException {
        Addresses.bind(scheme, address, bind);
    }

    private static StandardProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }
}
