package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Each counter of {@link ServerStats} agrees with what the clients did. */
@Timeout(30)
class StatsCountsTest {
    /** Echoes, and turns the third client away in {@code verifyRequest}. */
    private static final class CountingServer extends TcpServer {
        private int seen;

        CountingServer() throws IOException {
            super(TestServers.loopback(), FunctionHandlers.of((ConnectionHandler) conn -> conn.in().transferTo(conn.out())), Concurrency.virtualThreads());
        }

        @Override
        protected boolean verifyRequest(Connection request, SocketAddress clientAddress) {
            return ++seen != 3;   // the third client is turned away
        }
    }

    @Test
    void countsAgreeWithWhatTheClientsDid() throws Exception {
        try (var server = new CountingServer()) {
            server.setIdleTimeout(Duration.ofMillis(300));
            TestServers.serve(server);
            // clients 1, 2, 4, 5 echo 5 bytes each; client 3 is refused
            for (int i = 1; i <= 5; i++) {
                try (StreamClient client = StreamClient.connect(server.serverAddress())) {
                    if (i == 3) {
                        assertThat(client.readToEof()).isEmpty();
                        continue;
                    }
                    client.send("1234\n");
                    assertThat(client.readLine()).isEqualTo("1234");
                    client.shutdownOutput();
                    assertThat(client.readToEof()).isEmpty();
                }
            }
            // client 6 stays silent until the idle timeout closes it
            try (StreamClient idle = StreamClient.connect(server.serverAddress())) {
                assertThat(idle.endsWithinReadTimeout()).isTrue();
            }
            TestServers.await(TestServers.DEADLINE, "every request ended", () -> server.stats().closed() == 6);

            ServerStats stats = server.stats();
            assertThat(stats.activeRequests()).isZero();
            assertThat(stats.accepted()).isEqualTo(6);
            assertThat(stats.requestsTotal()).isEqualTo(5);
            assertThat(stats.requestsRefused()).isEqualTo(1);
            assertThat(stats.closed()).isEqualTo(6);
            assertThat(stats.bytesIn()).isEqualTo(20);
            assertThat(stats.bytesOut()).isEqualTo(20);
            assertThat(stats.timeouts()).isEqualTo(1);
            assertThat(stats.handlerErrors()).isZero();
            assertThat(stats.acceptErrors()).isZero();
            assertThat(stats.tlsHandshakeFailures()).isZero();
            assertThat(stats.proxyRejections()).isZero();
            assertThat(stats.toLine()).startsWith("active 0, accepted 6, requests 5, refused 1, closed 6, bytes in 20, bytes out 20, ")
                    .contains("timeouts 1");
        }
    }

    @Test
    void proxyRejectionsAndTlsFailuresAreCounted() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), conn -> conn.in().transferTo(conn.out()), Concurrency.virtualThreads(),
                ServerOptions.builder().proxyProtocol(ProxyProtocol.from("127.0.0.0/8")).build())) {
            TestServers.serve(server);
            try (StreamClient client = StreamClient.connect(server.serverAddress())) {
                client.send("GET / HTTP/1.0\r\n\r\n");   // not a PROXY header
                assertThat(client.endsWithinReadTimeout()).isTrue();
            }
            TestServers.await(TestServers.DEADLINE, "the request ended", () -> server.stats().closed() == 1);
            assertThat(server.stats().proxyRejections()).isEqualTo(1);
        }
        TlsOptions tls = TlsOptions.of(javax.net.ssl.SSLContext.getDefault()).withHandshakeDeadline(Duration.ofMillis(200));
        try (var server = new TcpServer(TestServers.loopback(), conn -> conn.in().transferTo(conn.out()), Concurrency.virtualThreads(),
                ServerOptions.builder().tls(tls).build())) {
            TestServers.serve(server);
            try (SocketChannel silent = SocketChannel.open(server.serverAddress())) {
                TestServers.await(TestServers.DEADLINE, "the handshake deadline", () -> server.stats().closed() == 1);
            }
            ServerStats stats = server.stats();
            assertThat(stats.tlsHandshakeFailures()).isEqualTo(1);
            assertThat(stats.timeouts()).isEqualTo(1);
        }
    }
}
