package dev.socketserver.async;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.socketserver.async.AsyncServerTest.await;
import static dev.socketserver.async.AsyncServerTest.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * maxConnections on the event loop: at the cap the server stops accepting (the backlog holds the
 * rest; nobody is accepted and dropped), a closed connection lets the next one in, and the cap
 * can change while serving.
 */
@Timeout(30)
class AsyncConnectionLimitTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();
    private AsyncServer server;

    /** Echoes, and keeps the highest number of connections open at once. */
    private final class CountingEcho implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }

        @Override
        public void connectionLost(Throwable cause) {
            open.decrementAndGet();
        }
    }

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void withACapOfThreeTheFourthAndFifthWaitInTheBacklogAndAreServedInTurn() throws Exception {
        int fdsBefore = AsyncServerTest.openDescriptors();
        server = AsyncServer.tcp(LOOPBACK, CountingEcho::new);
        server.setEventLoops(2);
        server.setMaxConnections(3);
        server.start();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                clients.add(connect(server.serverAddress()));   // the kernel completes the handshake for all five
            }
            for (int i = 0; i < 5; i++) {
                clients.get(i).getOutputStream().write('0' + i);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(clients.get(i).getInputStream().read()).isEqualTo('0' + i);
            }
            // nothing past the cap is accepted, however long we look
            assertThat(await(Duration.ofMillis(300), () -> server.stats().requestsTotal() > 3)).isFalse();
            assertThat(server.activeRequests()).isEqualTo(3);
            clients.get(3).setSoTimeout(200);
            assertThatThrownBy(() -> clients.get(3).getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

            clients.get(0).close();
            clients.get(3).setSoTimeout(10_000);
            assertThat(clients.get(3).getInputStream().read()).isEqualTo('3');   // in, and its waiting byte echoed
            clients.get(1).close();
            assertThat(clients.get(4).getInputStream().read()).isEqualTo('4');
            assertThat(server.stats().requestsTotal()).isEqualTo(5);
            assertThat(mostOpen.get()).isEqualTo(3);
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
        assertThat(await(Duration.ofSeconds(5), () -> server.activeRequests() == 0)).isTrue();
        server.close();
        assertThat(AsyncServerTest.openDescriptors()).isLessThanOrEqualTo(fdsBefore);
    }

    @Test
    void theCapCanBeRaisedAndLoweredWhileServing() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, CountingEcho::new);
        server.setMaxConnections(1);
        server.start();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(connect(server.serverAddress()));
            }
            assertThat(await(Duration.ofSeconds(5), () -> server.activeRequests() == 1)).isTrue();
            assertThat(await(Duration.ofMillis(200), () -> server.activeRequests() > 1)).isFalse();

            server.setMaxConnections(0);   // lifted: the two waiting get in at once, with no connection closing
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

    @Test
    void aNegativeCapIsRefused() throws IOException {
        server = AsyncServer.tcp(LOOPBACK, CountingEcho::new);
        assertThatThrownBy(() -> server.setMaxConnections(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 (no limit) or more");
    }
}
