package dev.socketserver.internal.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The descriptor behind a JDK listening channel, found without reflection, and {@code accept4} on
 * it: checked against the kernel with real sockets on loopback and in /tmp.
 */
@Timeout(30)
class SocketDescriptorsTest {
    @TempDir(factory = ShortTempDirs.class)
    Path dir;

    @Test
    void acceptOnIpv4LoopbackGivesAWorkingDescriptorWithBothAddresses() throws IOException {
        try (var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            assertAcceptedAndWorking(pair);
        }
    }

    @Test
    void acceptOnIpv6LoopbackGivesAWorkingDescriptorWithBothAddresses() throws IOException {
        assumeTrue(NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                .anyMatch(a -> a.isLoopbackAddress() && a instanceof java.net.Inet6Address), "no IPv6 loopback here");
        try (var pair = NativeTesting.tcp(InetAddress.getByName("::1"))) {
            assertAcceptedAndWorking(pair);
        }
    }

    @Test
    void acceptOnAUnixPathGivesAWorkingDescriptorAndThePeersCredentials() throws IOException {
        Path socket = dir.resolve("s.sock");
        try (var pair = NativeTesting.unix(socket)) {
            assertThat(pair.accepted.remote()).isEqualTo(UnixDomainSocketAddress.of(""));
            assertThat(pair.accepted.local()).isEqualTo(UnixDomainSocketAddress.of(socket));
            SocketDescriptors.PeerCredentials peer = SocketDescriptors.peerCredentials(pair.accepted.fd());
            assertThat(peer).isNotNull();
            assertThat((long) peer.pid()).isEqualTo(ProcessHandle.current().pid());
            assertAcceptedAndWorking(pair);
        }
    }

    @Test
    void aTcpSocketHasNoPeerCredentials() throws IOException {
        try (var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            assertThat(SocketDescriptors.peerCredentials(pair.accepted.fd())).isNull();
        }
    }

    @Test
    void anIpv4ClientOfADualStackListenerAppearsAsIpv4() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {   // INET6 where the host has IPv6
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            listener.configureBlocking(false);
            int fd = SocketDescriptors.fdOf(listener);
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress())) {
                SocketDescriptors.Accepted accepted = NativeTesting.awaitAccept(fd, java.time.Duration.ofSeconds(10));
                try {
                    assertThat(((InetSocketAddress) accepted.remote()).getAddress()).isInstanceOf(Inet4Address.class);
                    assertThat(accepted.remote()).isEqualTo(client.getLocalAddress());
                    assertThat(accepted.local()).isEqualTo(listener.getLocalAddress());
                } finally {
                    SocketDescriptors.close(accepted.fd());
                }
            }
        }
    }

    @Test
    void aListenerOnTheWildcardAddressIsFound() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(0));
            int fd = SocketDescriptors.fdOf(listener);
            String socket = NativeTesting.link(fd);
            assertThat(socket).startsWith("socket:[");
            listener.close();
            assertThat(NativeTesting.link(fd)).as("it was the channel's: closing the channel closed it").isNotEqualTo(socket);
        }
    }

    @Test
    void acceptReturnsNullWhenNoClientIsWaiting() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            listener.configureBlocking(false);
            assertThat(SocketDescriptors.accept(SocketDescriptors.fdOf(listener))).isNull();
        }
    }

    @Test
    void twoListenersSharingAPortWithReusePortAreToldApart() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocketChannel first = ServerSocketChannel.open(StandardProtocolFamily.INET);
             ServerSocketChannel second = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            first.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            second.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            first.bind(new InetSocketAddress(loopback, 0));
            second.bind(first.getLocalAddress());
            int firstFd = SocketDescriptors.fdOf(first);
            int secondFd = SocketDescriptors.fdOf(second);
            assertThat(firstFd).isNotEqualTo(secondFd);
            assertThat(first.getOption(StandardSocketOptions.SO_REUSEADDR)).as("option restored").isTrue();

            String firstSocket = NativeTesting.link(firstFd);
            first.close();
            assertThat(NativeTesting.link(firstFd)).as("closing the first channel closed the first descriptor").isNotEqualTo(firstSocket);
            assertThat(SocketDescriptors.fdOf(second)).isEqualTo(secondFd);
        }
    }

    @Test
    void anUnboundChannelIsRefused() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            assertThatThrownBy(() -> SocketDescriptors.fdOf(listener)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not bound");
        }
    }

    @Test
    void aClosedChannelIsRefused() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        listener.close();
        assertThatThrownBy(() -> SocketDescriptors.fdOf(listener)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void closingADescriptorTwiceNamesEbadf() throws IOException {
        try (var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            pair.closeAccepted();
            assertThatThrownBy(() -> SocketDescriptors.close(pair.accepted.fd())).isInstanceOf(IOException.class)
                    .hasMessageContaining("EBADF");
        }
    }

    /** The listener's descriptor is the channel's; the accepted one carries data both ways and closes. */
    private static void assertAcceptedAndWorking(NativeTesting.Pair pair) throws IOException {
        assertThat(NativeTesting.link(pair.listenerFd)).startsWith("socket:[");
        SocketDescriptors.Accepted accepted = pair.accepted;
        assertThat(accepted.fd()).isNotEqualTo(pair.listenerFd);
        assertThat(accepted.local()).isEqualTo(pair.listener.getLocalAddress());
        if (accepted.remote() instanceof InetSocketAddress) {
            assertThat(accepted.remote()).isEqualTo(pair.client.getLocalAddress());
        }

        NativeTesting.writeAll(accepted.fd(), "from the descriptor\n".getBytes(StandardCharsets.UTF_8));
        assertThat(pair.readLine()).isEqualTo("from the descriptor");

        pair.client.write(ByteBuffer.wrap("from the client".getBytes(StandardCharsets.UTF_8)));
        pair.client.shutdownOutput();
        assertThat(readAll(accepted.fd())).isEqualTo("from the client");

        pair.closeAccepted();
        assertThat(pair.client.read(ByteBuffer.allocate(1))).as("EOF once the descriptor is closed").isEqualTo(-1);
    }

    private static String readAll(int fd) throws IOException {
        StringBuilder text = new StringBuilder();
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var state = LibC.newCallState(arena);
            var buffer = arena.allocate(256);
            long n;
            while ((n = LibC.read(state, fd, buffer, 256)) > 0) {
                text.append(new String(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            }
            if (n < 0) {
                throw LibC.error("read", "fd " + fd, LibC.errno(state));
            }
        }
        return text.toString();
    }
}
