package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * reliability.md C4, the calls ShutdownTest and CloseTest leave out: a second {@code serveForever}
 * or a {@code handleRequest} while a loop serves throws an {@link IllegalStateException} naming the
 * serving thread and does not disturb it; {@code shutdown(Duration)} twice, or after
 * {@code close()}, returns at once.
 */
@Timeout(20)
class LifecycleMisuseTest {

    @Test
    void servingTwiceAtOnceIsRefusedAndTheFirstLoopServesOn() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream());
             Serving<?> serving = TestServers.serve(server)) {
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "first\n")).isEqualTo("first\n");
            assertThatThrownBy(server::serveForever).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already serving in thread " + serving.thread().getName());
            assertThatThrownBy(server::handleRequest).isInstanceOf(IllegalStateException.class).hasMessageContaining("already serving");
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "still\n")).isEqualTo("still\n");
        }
    }

    @Test
    void aSecondDrainingShutdownOrOneAfterCloseReturnsAtOnce() throws Exception {
        var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream());
        try (Serving<?> serving = TestServers.serve(server)) {
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "serving\n")).isEqualTo("serving\n");   // the loop runs
            assertThat(server.shutdown(Duration.ofSeconds(1))).isTrue();
            long start = System.nanoTime();
            assertThat(server.shutdown(Duration.ofSeconds(10))).isTrue();
            server.close();
            assertThat(server.shutdown(Duration.ofSeconds(10))).isTrue();
            assertThat(TestServers.since(start)).isLessThan(Duration.ofSeconds(1));
            serving.awaitNormalEnd(DEADLINE);
        }
    }
}
