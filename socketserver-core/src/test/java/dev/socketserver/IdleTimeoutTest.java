package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idle timeout under a blocking server's other thread model: handlers blocked in platform
 * threads. What the idle timeout and the request deadline do is the contract suite's
 * ({@code contract.IdleTimeoutContractTest}), run against both families, the blocking one on
 * virtual threads.
 */
@Timeout(30)
class IdleTimeoutTest {

    @Test
    void onPlatformThreadsASilentConnectionIsClosedAndAChattyOneIsNot() throws Exception {
        Concurrency model = Concurrency.threads();
        try (var capture = new LogCapture();
             var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     conn -> conn.in().transferTo(OutputStream.nullOutputStream()), model)) {
            server.setIdleTimeout(Duration.ofMillis(400));
            Thread serving = Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            try (Socket chatty = connect(server); Socket silent = connect(server)) {
                long start = System.nanoTime();
                for (int i = 0; i < 8; i++) {   // a byte every 100 ms for 800 ms, twice the timeout
                    chatty.getOutputStream().write('x');
                    ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofMillis(100), () -> false);
                }
                assertThat(silent.getInputStream().read()).isEqualTo(-1);   // closed by the server
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(350));
                assertThat(server.activeRequests()).isEqualTo(1);            // the chatty one lives
                chatty.setSoTimeout(5_000);
                assertThat(chatty.getInputStream().read()).isEqualTo(-1);    // and goes once it falls silent
            }
            assertThat(capture.errorBlocks()).isEmpty();
            server.shutdown();
            serving.join(5_000);
        }
    }

    private static Socket connect(TcpServer server) throws java.io.IOException {
        Socket socket = new Socket();
        socket.connect(server.serverAddress(), 5_000);
        socket.setSoTimeout(5_000);
        return socket;
    }
}
