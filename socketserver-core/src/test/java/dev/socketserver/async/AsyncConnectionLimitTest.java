package dev.socketserver.async;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.socketserver.async.AsyncServerTest.await;
import static dev.socketserver.async.AsyncServerTest.connect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * maxConnections on the event loop, where it is stricter than the blocking servers: a cap lowered
 * below what is open lets nobody new in until enough connections close. (A blocking server's
 * accept loop may already hold a permit taken under the old cap, which lets one more client in.)
 * The rest (the backlog at the cap, serving in turn, raising, lifting and lowering while serving,
 * a negative cap) is the contract suite's ({@code contract.ConnectionLimitContractTest}).
 */
@Timeout(30)
class AsyncConnectionLimitTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private AsyncServer server;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aCapLoweredBelowWhatIsOpenLetsNobodyNewInUntilEnoughClose() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, AsyncServerTest.Echo::new);
        server.start();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(connect(server.serverAddress()));
            }
            assertThat(await(Duration.ofSeconds(5), () -> server.activeRequests() == 3)).isTrue();

            server.setMaxConnections(2);   // lowered below what is open: nobody is closed, nobody new gets in
            clients.add(connect(server.serverAddress()));
            assertThat(await(Duration.ofMillis(200), () -> server.activeRequests() != 3)).isFalse();
            clients.get(0).close();
            assertThat(await(Duration.ofMillis(200), () -> server.stats().requestsTotal() > 3)).isFalse();
            clients.get(1).close();   // now 1 open, under the cap of 2: the fourth gets in
            assertThat(await(Duration.ofSeconds(5), () -> server.stats().requestsTotal() == 4)).isTrue();
            assertThat(server.maxConnections()).isEqualTo(2);
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }
}
