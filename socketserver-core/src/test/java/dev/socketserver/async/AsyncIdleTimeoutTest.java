package dev.socketserver.async;

import dev.socketserver.ServerOptions;
import dev.socketserver.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.socketserver.async.AsyncServerTest.await;
import static dev.socketserver.async.AsyncServerTest.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The idle timeout closes a silent connection and spares a chatty one; the request deadline closes even a chatty one. */
@Timeout(30)
class AsyncIdleTimeoutTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private final List<Throwable> lost = new CopyOnWriteArrayList<>();
    private AsyncServer server;

    /** Echoes, and records why each connection ended. */
    private final class RecordingEcho implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost.add(cause == null ? new Exception("normal close") : cause);
        }
    }

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSilentConnectionIsClosedOnTimeAndAChattyOneIsNot() throws Exception {
        try (var capture = new LogCapture()) {
            server = AsyncServer.tcp(LOOPBACK, RecordingEcho::new);
            server.setEventLoops(2);
            server.setIdleTimeout(Duration.ofMillis(400));
            server.start();
            try (Socket chatty = connect(server.serverAddress()); Socket silent = connect(server.serverAddress())) {
                assertThat(await(Duration.ofSeconds(5), () -> server.activeRequests() == 2)).isTrue();
                long start = System.nanoTime();
                for (int i = 0; i < 8; i++) {   // a byte every 100 ms for 800 ms, twice the timeout
                    chatty.getOutputStream().write('x');
                    assertThat(chatty.getInputStream().read()).isEqualTo('x');
                    await(Duration.ofMillis(100), () -> false);
                }
                assertThat(silent.getInputStream().read()).isEqualTo(-1);   // closed by the server
                Duration silentFor = Duration.ofNanos(System.nanoTime() - start);
                assertThat(silentFor).isBetween(Duration.ofMillis(350), Duration.ofSeconds(3));
                assertThat(server.activeRequests()).isEqualTo(1);          // the chatty one lives
                assertThat(chatty.getInputStream().read()).isEqualTo(-1);   // and goes once it falls silent
            }
            assertThat(await(Duration.ofSeconds(5), () -> lost.size() == 2)).isTrue();
            assertThat(lost).allSatisfy(cause -> assertThat(cause).isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("idle timeout"));
            assertThat(server.stats().timeouts()).isEqualTo(2);
            assertThat(server.stats().accepted()).isEqualTo(2);
            assertThat(await(Duration.ofSeconds(5), () -> server.stats().closed() == 2)).isTrue();
            assertThat(capture.errorBlocks()).isEmpty();
            assertThat(capture.entries()).noneMatch(e -> e.level().equals("WARNING") || e.level().equals("SEVERE"));
        }
    }

    @Test
    void anIdleTimeoutSetWhileServingReachesConnectionsAlreadyOpen() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, RecordingEcho::new);
        server.start();
        try (Socket open = connect(server.serverAddress())) {
            assertThat(await(Duration.ofSeconds(5), () -> server.activeRequests() == 1)).isTrue();
            server.setIdleTimeout(Duration.ofMillis(200));
            assertThat(open.getInputStream().read()).isEqualTo(-1);
            assertThat(server.idleTimeout()).isEqualTo(Duration.ofMillis(200));
            server.setIdleTimeout(null);   // and off again: the next one stays
            try (Socket next = connect(server.serverAddress())) {
                next.setSoTimeout(600);
                assertThatThrownBy(() -> next.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            }
        }
    }

    @Test
    void theRequestDeadlineClosesEvenABusyConnection() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, RecordingEcho::new, ServerOptions.builder().requestDeadline(Duration.ofMillis(300)).build());
        assertThat(server.requestDeadline()).isEqualTo(Duration.ofMillis(300));
        server.start();
        try (Socket busy = connect(server.serverAddress())) {
            long start = System.nanoTime();
            boolean closed = await(Duration.ofSeconds(5), () -> {
                try {
                    busy.getOutputStream().write('x');
                    return busy.getInputStream().read() < 0;
                } catch (java.io.IOException e) {
                    return true;
                }
            });
            assertThat(closed).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
        assertThat(await(Duration.ofSeconds(5), () -> lost.size() == 1)).isTrue();
        assertThat(lost.getFirst()).hasMessageContaining("request deadline");
    }

    @Test
    void nonPositiveTimeoutsAreRefusedWithAMessageThatSaysWhatToDo() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, RecordingEcho::new);
        assertThatThrownBy(() -> server.setIdleTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive, or null for none");
        assertThatThrownBy(() -> ServerOptions.builder().requestDeadline(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive, or null for none");
    }
}
