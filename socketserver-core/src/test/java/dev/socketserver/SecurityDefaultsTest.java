package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.StandardSocketOptions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md §3.1, the defaults a server starts with: SO_REUSEADDR on and SO_REUSEPORT off
 * for TCP listeners, a backlog of 4096 (the kernel caps it at somaxconn), the PROXY protocol off
 * (a connection is served as it comes, and has no PROXY information), deadlines of 10 s for the
 * TLS handshake and 5 s for the PROXY header, no idle timeout or request deadline or connection
 * cap unless set, and Python's 8192-byte datagrams.
 */
@Timeout(30)
class SecurityDefaultsTest {

    @Test
    void aTcpServerStartsWithTheDocumentedDefaults() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), conn -> conn.out().write(
                (conn.proxyInfo().isPresent() + " " + conn.tlsSession().isPresent() + "\n").getBytes()));
             Serving<?> _ = TestServers.serve(server)) {
            assertThat(server.channel().getOption(StandardSocketOptions.SO_REUSEADDR)).isTrue();
            assertThat(server.channel().getOption(StandardSocketOptions.SO_REUSEPORT)).isFalse();
            assertThat(server.options()).isEqualTo(ServerOptions.defaults());
            assertThat(server.options().reuseAddress()).isTrue();
            assertThat(server.options().reusePort()).isFalse();
            assertThat(server.options().backlog()).isEqualTo(4096).isEqualTo(ServerOptions.DEFAULT_BACKLOG);
            assertThat(server.options().tls()).isNull();
            assertThat(server.options().proxyProtocol()).isNull();
            assertThat(TlsOptions.DEFAULT_HANDSHAKE_DEADLINE).isEqualTo(Duration.ofSeconds(10));
            assertThat(ProxyProtocol.DEFAULT_HEADER_DEADLINE).isEqualTo(Duration.ofSeconds(5));
            assertThat(server.idleTimeout()).isNull();
            assertThat(server.requestDeadline()).isNull();
            assertThat(server.maxConnections()).isZero();
            assertThat(server.stats().proxyRejections()).isZero();
            // the PROXY protocol is off: a connection starting like a header is served, with no PROXY information
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n"))
                    .isEqualTo("false false\n");
        }
    }

    @Test
    void aUdpServerTakesPythonsDatagramSize() throws Exception {
        try (var server = new UdpServer(TestServers.loopback(), d -> d.reply(d.data()))) {
            assertThat(server.maxPacketSize()).isEqualTo(8192);
        }
    }
}
