package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@code shutdown()} stops the serving loop: at once (no poll interval to wait out), from any
 * thread including the serving thread itself, and without poisoning a later {@code serveForever()}.
 */
@Timeout(30)
class ShutdownTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @DisplayName("row 23 [beyond]: shutdown wakes a loop with a 5 s poll interval within 300 ms (Python: up to the interval)")
    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void shutdownWakesTheLoopAtOnceWellUnderThePollInterval(Transport transport) throws Exception {
        BaseServer<?> server = transport.newServer(ReferenceHandlers.ECHOLINE, Concurrency.synchronous(), dir);
        try (Serving<?> serving = TestServers.serve(server, Duration.ofSeconds(5))) {
            assertThat(TestServers.exchange(transport, server.serverAddress(), "up\n")).isEqualTo("up\n");   // the loop runs

            long start = System.nanoTime();
            server.shutdown();
            Duration took = TestServers.since(start);

            assertThat(took).isLessThan(Duration.ofMillis(300));
            serving.awaitNormalEnd(DEADLINE);   // shutdown() returned when the loop ended; the thread follows
        }
    }

    @DisplayName("rows 27 and P2 [beyond]: shutdown() from inside a handler stops the loop and the client still gets bye (Python deadlocks when synchronous)")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void shutdownFromInsideAHandlerStopsTheLoopWithoutDeadlock(Concurrency concurrency) throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.SHUTDOWN.stream(), concurrency);
             Serving<?> serving = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(client.readToEof()).isEqualTo("bye\n");
            serving.awaitNormalEnd(DEADLINE);
        }
    }

    @Test
    @DisplayName("P2 [beyond]: shutdown() from inside a synchronous handler does not deadlock")
    void shutdownFromInsideASynchronousHandlerDoesNotDeadlock() throws Exception {
        try (var server = new UdpServer(TestServers.loopback(), ReferenceHandlers.SHUTDOWN.datagram(), Concurrency.synchronous());
             Serving<?> serving = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            client.send("stop");
            assertThat(client.receive()).isEqualTo("bye\n");
            serving.awaitNormalEnd(DEADLINE);
        }
    }

    @Test
    @DisplayName("row 28 [beyond]: shutdown() on a server that never served returns at once, and a later serveForever serves (Python blocks forever)")
    void shutdownOnAServerThatNeverServedReturnsAtOnceAndALaterServeForeverServes() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous())) {
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> server.shutdown());

            try (Serving<?> serving = TestServers.serve(server)) {
                assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "after\n")).isEqualTo("after\n");
                assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "again\n")).isEqualTo("again\n");
                assertThat(serving.ended()).isFalse();
            }
        }
    }

    @Test
    @DisplayName("P3 [beyond]: a server serves again after a shutdown, even after a stray second shutdown (Python's next loop exits at once)")
    void serverServesAgainAfterShutdownAndAStrayShutdown() throws Exception {
        var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.threads());
        Serving<?> first = TestServers.serve(server);
        try {
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "one\n")).isEqualTo("one\n");
            server.shutdown();
            first.awaitNormalEnd(DEADLINE);
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> server.shutdown());   // stray: the loop already ended

            try (Serving<?> second = TestServers.serve(server)) {
                assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "two\n")).isEqualTo("two\n");
                assertThat(second.ended()).isFalse();
            }
        } finally {
            first.close();
        }
    }

    @Test
    @DisplayName("row 24: twenty servers, each serveForever(10 ms), all stop on shutdown() and every shutdown() returns")
    void twentyServersAllStopOnShutdown() throws Exception {
        List<TcpServer> servers = new ArrayList<>();
        List<Serving<?>> servings = new ArrayList<>();
        List<CountDownLatch> looping = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                CountDownLatch latch = new CountDownLatch(1);
                TcpServer server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.threads()) {
                    @Override
                    protected void serviceActions() {
                        latch.countDown();
                    }
                };
                servers.add(server);
                looping.add(latch);
                servings.add(TestServers.serve(server, Duration.ofMillis(10)));
            }
            for (int i = 0; i < 20; i++) {
                // shutdown() before the loop started would be a no-op by design (row 28): wait until it runs
                assertThat(looping.get(i).await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                TcpServer server = servers.get(i);
                assertTimeoutPreemptively(Duration.ofSeconds(2), () -> server.shutdown());
            }
            for (Serving<?> serving : servings) {
                serving.awaitNormalEnd(DEADLINE);
            }
        } finally {
            for (Serving<?> serving : servings) {
                serving.close();
            }
        }
    }

    @Test
    @DisplayName("[beyond]: shutdown() also stops a handleRequest() that waits without a timeout")
    void shutdownStopsAHandleRequestWaitingWithoutTimeout() throws Exception {
        AtomicInteger timeouts = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous()) {
            @Override
            protected void handleTimeout() {
                timeouts.incrementAndGet();
            }
        };
        Thread waiting = Thread.ofPlatform().start(() -> {
            try {
                server.handleRequest();
            } catch (IOException | RuntimeException e) {
                failure.set(e);
            }
        });
        try {
            // a shutdown() that comes before handleRequest() starts waiting is a no-op, so repeat it
            TestServers.await(DEADLINE, "handleRequest() returns after shutdown()", () -> {
                server.shutdown();
                return !waiting.isAlive();
            });
            assertThat(failure.get()).isNull();
            assertThat(timeouts.get()).isZero();
        } finally {
            server.close();
            TestServers.join(waiting, DEADLINE);
        }
    }

    @Test
    @DisplayName("row 23 [beyond]: shutdown wakes a bounded loop that waits for a free permit, within 300 ms")
    void shutdownWakesALoopWaitingForAFreePermit() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.HOLD.stream(), Concurrency.bounded(1));
             Serving<?> serving = TestServers.serve(server, Duration.ofSeconds(5));
             var holding = StreamClient.connect(server.serverAddress())) {
            TestServers.await(DEADLINE, "the HOLD request takes the only permit", () -> server.activeRequests() == 1);

            long start = System.nanoTime();
            server.shutdown();
            assertThat(TestServers.since(start)).isLessThan(Duration.ofMillis(300));
            serving.awaitNormalEnd(DEADLINE);

            holding.shutdownOutput();
            assertThat(holding.readToEof()).isEmpty();
        }
    }

    @DisplayName("§1.2: shutdown() stops the loop without waiting for running requests, which then finish")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#threadModels")
    void shutdownDoesNotWaitForRunningRequests(Concurrency concurrency) throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.HOLD.stream(), concurrency);
             Serving<?> serving = TestServers.serve(server);
             var holding = StreamClient.connect(server.serverAddress())) {
            TestServers.await(DEADLINE, "the HOLD request runs", () -> server.activeRequests() == 1);

            // the client stays until shutdown() has returned: a shutdown() that waited for it would never return
            assertTimeoutPreemptively(DEADLINE, () -> server.shutdown());
            serving.awaitNormalEnd(DEADLINE);
            assertThat(server.activeRequests()).isEqualTo(1);

            holding.shutdownOutput();
            assertThat(holding.readToEof()).isEmpty();
            TestServers.await(DEADLINE, "the HOLD request ends", () -> server.activeRequests() == 0);
        }
    }

    @DisplayName("P2 [beyond]: shutdown(Duration) from inside a handler closes the server without deadlock")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void drainingShutdownFromInsideAHandlerDoesNotDeadlock(Concurrency concurrency) throws Exception {
        var draining = ReferenceHandlers.of("DRAIN", (h, in, out) -> {
            boolean finished = h.server().shutdown(Duration.ofSeconds(2));
            out.write(ReferenceHandlers.bytes("drained " + finished + "\n"));
        });
        try (var server = new TcpServer(TestServers.loopback(), draining.stream(), concurrency);
             Serving<?> serving = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(client.readToEof()).isEqualTo("drained true\n");
            serving.awaitNormalEnd(DEADLINE);
            assertThat(server.isClosed()).isTrue();
        }
    }
}
