package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md B6: a client that never reads. The handler's write blocks once the socket
 * buffers are full (blocking writers block: nothing queues in the heap), the idle timeout sees no
 * byte move, and closes the connection, which releases the blocked write; the descriptor is gone
 * within the timeout plus a second, and nothing is logged as an error.
 */
@Timeout(30)
class SlowReaderTest {
    private static final Duration IDLE = Duration.ofMillis(500);

    static Stream<Concurrency> models() {
        return Stream.of(Concurrency.threads(), Concurrency.virtualThreads());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aClientThatNeverReadsIsClosedByTheIdleTimeoutAndTheBlockedWriteIsReleased(Concurrency model) throws Exception {
        CompletableFuture<Long> writeEnded = new CompletableFuture<>();
        ConnectionHandler endless = conn -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                while (true) {
                    conn.out().write(chunk);
                }
            } finally {
                writeEnded.complete(System.nanoTime());
            }
        };
        int before = Descriptors.baseline();
        try (var log = new LogCapture();
             var server = new TcpServer(TestServers.loopback(), endless, model);
             Serving<?> _ = TestServers.serve(server)) {
            server.setIdleTimeout(IDLE);
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(4096);
                client.connect(server.serverAddress(), 5_000);
                long start = System.nanoTime();
                long ended = writeEnded.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(Duration.ofNanos(ended - start)).as("until the blocked write was released")
                        .isBetween(IDLE.minusMillis(50), IDLE.plusSeconds(1));
                TestServers.await(DEADLINE, "the request ends", () -> server.activeRequests() == 0);
                assertThat(TestServers.since(start)).isLessThan(IDLE.plusSeconds(2));
            }
            assertThat(log.errorBlocks()).isEmpty();
        }
        assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, Descriptors::open, before))
                .as("descriptors: %s", ResourcesReturnToBaselineTest.describeDescriptors()).isLessThanOrEqualTo(before);
    }
}
