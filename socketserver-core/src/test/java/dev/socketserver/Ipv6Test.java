package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * IPv6 needs no subclass: the family follows the address (pitfall P18; Python needs
 * {@code address_family = AF_INET6} and a server on {@code ::} for dual stack). Skipped where the
 * machine has no IPv6 loopback.
 */
@Timeout(30)
class Ipv6Test {

    @BeforeAll
    static void ipv6LoopbackIsAvailable() {
        boolean available;
        try (var probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress("::1", 0));
            available = true;
        } catch (IOException | UnsupportedOperationException e) {
            available = false;
        }
        assumeTrue(available, "IPv6 loopback is not available");
    }

    @Test
    @DisplayName("P18: a TCP server on [::1] serves IPv6 clients and reports an IPv6 address")
    void tcpServerOnIpv6LoopbackServes() throws Exception {
        try (var server = new TcpServer(new InetSocketAddress("::1", 0), ReferenceHandlers.ECHOLINE.stream(), Concurrency.virtualThreads());
             Serving<?> _ = TestServers.serve(server)) {
            InetSocketAddress address = (InetSocketAddress) server.serverAddress();
            assertThat(address.getAddress()).isEqualTo(InetAddress.getByName("::1"));
            assertThat(server.serverUri()).isEqualTo("tcp://[::1]:" + address.getPort());
            assertThat(TestServers.exchange(Transport.TCP, address, "hello world\n")).isEqualTo("hello world\n");
        }
    }

    @Test
    @DisplayName("P18: a TCP server bound to :: also serves an IPv4 client")
    void tcpServerOnIpv6WildcardServesIpv4Clients() throws Exception {
        try (var server = new TcpServer(new InetSocketAddress("::", 0), ReferenceHandlers.ECHOLINE.stream(), Concurrency.virtualThreads());
             Serving<?> _ = TestServers.serve(server)) {
            int port = ((InetSocketAddress) server.serverAddress()).getPort();
            assertThat(TestServers.exchange(Transport.TCP, new InetSocketAddress("127.0.0.1", port), "v4\n")).isEqualTo("v4\n");
            assertThat(TestServers.exchange(Transport.TCP, new InetSocketAddress("::1", port), "v6\n")).isEqualTo("v6\n");
        }
    }

    @Test
    @DisplayName("reliability.md H1: on a dual-stack server an IPv4 client is seen as an IPv4 address, not ::ffff:a.b.c.d")
    void anIpv4ClientOfTheIpv6WildcardIsSeenAsIpv4() throws Exception {
        ConnectionHandler whoIsIt = conn -> conn.out().write((((InetSocketAddress) conn.clientAddress()).getAddress().getClass().getSimpleName()
                + " " + dev.socketserver.internal.Addresses.format(conn.clientAddress()) + "\n").getBytes());
        try (var server = new TcpServer(new InetSocketAddress("::", 0), whoIsIt, Concurrency.virtualThreads());
             Serving<?> _ = TestServers.serve(server)) {
            int port = ((InetSocketAddress) server.serverAddress()).getPort();
            assertThat(TestServers.exchange(Transport.TCP, new InetSocketAddress("127.0.0.1", port), "")).startsWith("Inet4Address 127.0.0.1:");
            assertThat(TestServers.exchange(Transport.TCP, new InetSocketAddress("::1", port), "")).startsWith("Inet6Address [::1]:");
        }
    }

    @Test
    @DisplayName("P18: a UDP server on [::1] answers from its own address")
    void udpServerOnIpv6LoopbackAnswers() throws Exception {
        try (var server = new UdpServer(new InetSocketAddress("::1", 0), ReferenceHandlers.ECHOLINE.datagram(), Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            client.send("ping");
            var reply = client.receivePacket();
            assertThat(new String(reply.getData(), 0, reply.getLength())).isEqualTo("ping");
            assertThat(reply.getSocketAddress()).isEqualTo(server.serverAddress());
        }
    }

    @Test
    @DisplayName("P18: a UDP server bound to :: also answers an IPv4 client")
    void udpServerOnIpv6WildcardAnswersIpv4Clients() throws Exception {
        try (var server = new UdpServer(new InetSocketAddress("::", 0), ReferenceHandlers.ECHOLINE.datagram(), Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server)) {
            int port = ((InetSocketAddress) server.serverAddress()).getPort();
            assertThat(TestServers.exchange(Transport.UDP, new InetSocketAddress("127.0.0.1", port), "v4")).isEqualTo("v4");
        }
    }
}
