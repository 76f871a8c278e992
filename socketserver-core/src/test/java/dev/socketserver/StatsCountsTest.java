package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.SocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What only the blocking servers count: a client turned away by {@code verifyRequest} is accepted
 * and closed but counted as refused, not as a request. The counters both families keep are the
 * contract suite's ({@code contract.StatsContractTest}).
 */
@Timeout(30)
class StatsCountsTest {
    /** Echoes, and turns the second client away in {@code verifyRequest}. */
    private static final class CountingServer extends TcpServer {
        private int seen;

        CountingServer() throws IOException {
            super(TestServers.loopback(), FunctionHandlers.of((ConnectionHandler) conn -> conn.in().transferTo(conn.out())), Concurrency.virtualThreads());
        }

        @Override
        protected boolean verifyRequest(Connection request, SocketAddress clientAddress) {
            return ++seen != 2;   // the second client is turned away
        }
    }

    @Test
    void aClientTurnedAwayByVerifyRequestIsCountedAsRefused() throws Exception {
        try (var server = new CountingServer()) {
            TestServers.serve(server);
            for (int i = 1; i <= 3; i++) {
                try (StreamClient client = StreamClient.connect(server.serverAddress())) {
                    if (i == 2) {
                        assertThat(client.readToEof()).isEmpty();
                        continue;
                    }
                    client.send("1234\n");
                    assertThat(client.readLine()).isEqualTo("1234");
                    client.shutdownOutput();
                    assertThat(client.readToEof()).isEmpty();
                }
            }
            TestServers.await(TestServers.DEADLINE, "every request ended", () -> server.stats().closed() == 3);

            ServerStats stats = server.stats();
            assertThat(stats.activeRequests()).isZero();
            assertThat(stats.accepted()).isEqualTo(3);
            assertThat(stats.requestsTotal()).isEqualTo(2);
            assertThat(stats.requestsRefused()).isEqualTo(1);
            assertThat(stats.closed()).isEqualTo(3);
            assertThat(stats.bytesIn()).isEqualTo(10);
            assertThat(stats.bytesOut()).isEqualTo(10);
            assertThat(stats.toLine()).startsWith("active 0, accepted 3, requests 2, refused 1, closed 3, bytes in 10, bytes out 10, ");
        }
    }
}
