package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * §5 row 31: with {@code Concurrency.threads()} (non-daemon, block on close: Python's defaults)
 * {@code close()} waits for running requests; with daemon threads, without blocking, or on
 * virtual threads it does not. Beyond (P6): {@code shutdown(Duration)} closes what outlives its
 * deadline.
 */
@Timeout(30)
class BlockOnCloseTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @Test
    @DisplayName("row 31: threads() close() waits while a HOLD client stays connected, and returns after it leaves")
    void closeWaitsForARunningRequestInTheThreadsModel() throws Exception {
        var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.HOLD.stream(), Concurrency.threads());
        try (Serving<?> _ = TestServers.serve(server);
             var holding = StreamClient.connect(server.serverAddress())) {
            TestServers.await(DEADLINE, "the HOLD request runs", () -> server.activeRequests() == 1);

            AtomicLong clientLeftAt = new AtomicLong();
            CompletableFuture<Void> leave = CompletableFuture.runAsync(() -> {
                clientLeftAt.set(System.nanoTime());
                try {
                    holding.shutdownOutput();   // HOLD reads to EOF, then returns
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS));

            long start = System.nanoTime();
            server.close();
            long returnedAt = System.nanoTime();

            assertThat(clientLeftAt.get()).isNotZero();
            assertThat(returnedAt - clientLeftAt.get()).isPositive();
            assertThat(Duration.ofNanos(returnedAt - start)).isGreaterThanOrEqualTo(Duration.ofMillis(800));
            assertThat(server.activeRequests()).isZero();
            leave.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    static Stream<Concurrency> nonBlocking() {
        return Stream.of(Concurrency.threads(true, true), Concurrency.threads(false, false), Concurrency.virtualThreads(), Concurrency.bounded(2));
    }

    @DisplayName("row 31: with daemon threads, blockOnClose=false, or virtual threads, close() returns while a HOLD client stays connected")
    @ParameterizedTest(name = "{0}")
    @MethodSource("nonBlocking")
    void closeDoesNotWaitForRunningRequests(Concurrency concurrency) throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.HOLD.stream(), concurrency);
             Serving<?> _ = TestServers.serve(server);
             var holding = StreamClient.connect(server.serverAddress())) {
            TestServers.await(DEADLINE, "the HOLD request runs", () -> server.activeRequests() == 1);

            // the client never leaves before close() returns: a close() that waited would never return
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            closing.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(server.activeRequests()).isEqualTo(1);   // the request still runs; close() left it alone
            assertThat(holding.staysSilentFor(Duration.ofMillis(50))).isTrue();
            holding.shutdownOutput();
            assertThat(holding.readToEof()).isEmpty();
            TestServers.await(DEADLINE, "the HOLD request ends", () -> server.activeRequests() == 0);
        }
    }

    static Stream<Arguments> streamTransportsAndModels() {
        return TestServers.transportsAndModels().filter(a -> ((Transport) a.get()[0]).isStream());
    }

    @DisplayName("P6 [beyond]: shutdown(grace) waits out the grace period, then closes a held connection without logging an error")
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("streamTransportsAndModels")
    void drainingShutdownClosesHeldConnectionsAfterTheGracePeriod(Transport transport, ThreadModel concurrency) throws Exception {
        BaseServer<?> server = transport.newServer(ReferenceHandlers.HOLD, concurrency, dir);
        try (var log = new LogCapture();
             Serving<?> serving = TestServers.serve(server);
             var holding = StreamClient.connect(server.serverAddress())) {
            holding.send("a request under way");   // unanswered: not a quiet point, so the drain waits for it
            TestServers.await(DEADLINE, "the HOLD request runs", () -> server.activeRequests() == 1);

            long start = System.nanoTime();
            boolean finished = server.shutdown(Duration.ofMillis(300));
            Duration took = TestServers.since(start);

            assertThat(finished).isFalse();
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            assertThat(holding.endsWithinReadTimeout()).isTrue();
            TestServers.await(DEADLINE, "the aborted request ends", () -> server.activeRequests() == 0);
            serving.awaitNormalEnd(DEADLINE);
            assertThat(log.errorBlocks()).isEmpty();   // closed by the server on purpose: not an error
        }
    }

    @Test
    @DisplayName("P6 [beyond]: shutdown(grace) reports true when the running request ends within the grace period")
    void drainingShutdownReportsTrueWhenRequestsFinishInTime() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.slow(Duration.ofMillis(300)).stream(), Concurrency.threads());
             Serving<?> _ = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            client.send("x\n");
            TestServers.await(DEADLINE, "the SLOW request runs", () -> server.activeRequests() == 1);

            assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
            assertThat(client.readToEof()).matches("\\d+\n");   // it finished and answered
        }
    }
}
