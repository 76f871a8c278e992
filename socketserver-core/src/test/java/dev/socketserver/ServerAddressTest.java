package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** §5 row 2: after binding port 0 the server reports the port the system chose. */
@Timeout(30)
class ServerAddressTest {

    @Test
    @DisplayName("row 2: port 0 is reported as the real port, and clients reach it")
    void portZeroIsReportedAsTheRealPortAndClientsReachIt() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server)) {
            InetSocketAddress address = (InetSocketAddress) server.serverAddress();
            assertThat(address.getPort()).isNotZero();
            assertThat(address.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(server.serverUri()).isEqualTo("tcp://127.0.0.1:" + address.getPort());
            assertThat(TestServers.exchange(Transport.TCP, address, "hi\n")).isEqualTo("hi\n");
        }
    }

    @Test
    @DisplayName("row 2: a server on the wildcard address reports 0.0.0.0 and serves loopback clients")
    void wildcardServerReportsAnyAddressAndServesLoopback() throws Exception {
        try (var server = new TcpServer(new InetSocketAddress(0), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server)) {
            InetSocketAddress address = (InetSocketAddress) server.serverAddress();
            assertThat(address.getPort()).isNotZero();
            assertThat(address.getAddress().getHostAddress()).isEqualTo("0.0.0.0");
            var loopback = new InetSocketAddress("127.0.0.1", address.getPort());
            assertThat(TestServers.exchange(Transport.TCP, loopback, "hi\n")).isEqualTo("hi\n");
        }
    }

    @Test
    @DisplayName("row 2 (UDP): port 0 is reported as the real port")
    void udpPortZeroIsReportedAsTheRealPort() throws Exception {
        try (var server = new UdpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.datagram(), Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server)) {
            InetSocketAddress address = (InetSocketAddress) server.serverAddress();
            assertThat(address.getPort()).isNotZero();
            assertThat(server.serverUri()).isEqualTo("udp://127.0.0.1:" + address.getPort());
            assertThat(TestServers.exchange(Transport.UDP, address, "hi")).isEqualTo("hi");
        }
    }
}
