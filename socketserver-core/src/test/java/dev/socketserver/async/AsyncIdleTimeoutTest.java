package dev.socketserver.async;

import dev.socketserver.ServerOptions;
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

/**
 * What the event loop's protocol is told when a timeout ends its connection: {@code connectionLost}
 * gets a {@link SocketTimeoutException} that names the idle timeout or the request deadline. What
 * the two timeouts do is the contract suite's ({@code contract.IdleTimeoutContractTest}), run
 * against both families.
 */
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
    void connectionLostSaysTheIdleTimeoutEndedTheConnection() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, RecordingEcho::new, ServerOptions.builder().idleTimeout(Duration.ofMillis(200)).build());
        server.start();
        try (Socket silent = connect(server.serverAddress())) {
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(await(Duration.ofSeconds(5), () -> lost.size() == 1)).isTrue();
        assertThat(lost.getFirst()).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("idle timeout");
    }

    @Test
    void connectionLostSaysTheRequestDeadlineEndedTheConnection() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, RecordingEcho::new, ServerOptions.builder().requestDeadline(Duration.ofMillis(200)).build());
        server.start();
        try (Socket busy = connect(server.serverAddress())) {
            assertThat(await(Duration.ofSeconds(5), () -> {
                try {
                    busy.getOutputStream().write('x');
                    return busy.getInputStream().read() < 0;
                } catch (java.io.IOException e) {
                    return true;
                }
            })).isTrue();
        }
        assertThat(await(Duration.ofSeconds(5), () -> lost.size() == 1)).isTrue();
        assertThat(lost.getFirst()).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("request deadline");
    }
}
