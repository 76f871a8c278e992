package dev.socketserver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After 10,000 sequential connections the server's open descriptors and live threads are back to
 * where they were, while it is still serving and again after it is closed: nothing is kept per
 * request served.
 */
@Timeout(120)
class ResourcesReturnToBaselineTest {
    private static final int CONNECTIONS = 10_000;

    static Stream<Concurrency> models() {
        return Stream.of(Concurrency.synchronous(), Concurrency.threads(), Concurrency.virtualThreads(), Concurrency.bounded(4));
    }

    @ParameterizedTest
    @MethodSource("models")
    void descriptorsAndThreadsReturnToBaselineAfterTenThousandConnections(Concurrency model) throws Exception {
        waitUntilSettled();
        int fdsBefore = openDescriptors();
        int threadsBefore = liveThreads();

        try (var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                conn -> conn.out().write(conn.readLine().getBytes(StandardCharsets.UTF_8)), model)) {
            Thread serving = Thread.ofPlatform().name("serving").start(() -> EchoRoundTripTest.serve(server));
            var address = (InetSocketAddress) server.serverAddress();
            roundTrip(address);   // the first request creates what lives as long as the server
            awaitAtMost(Duration.ofSeconds(10), () -> server.activeRequests() == 0);
            int fdsServing = openDescriptors();
            int threadsServing = liveThreads();

            for (int i = 0; i < CONNECTIONS; i++) {
                assertThat(roundTrip(address)).isEqualTo("ping");
            }

            awaitAtMost(Duration.ofSeconds(10), () -> server.activeRequests() == 0);
            assertThat(awaitValue(Duration.ofSeconds(10), ResourcesReturnToBaselineTest::openDescriptors, fdsServing))
                    .as("open descriptors while serving: %s", describeDescriptors()).isLessThanOrEqualTo(fdsServing);
            assertThat(awaitValue(Duration.ofSeconds(10), ResourcesReturnToBaselineTest::liveThreads, threadsServing))
                    .as("live threads while serving").isLessThanOrEqualTo(threadsServing);
            server.shutdown();
            serving.join(5_000);
            assertThat(serving.isAlive()).isFalse();
        }
        assertThat(awaitValue(Duration.ofSeconds(10), ResourcesReturnToBaselineTest::openDescriptors, fdsBefore))
                .as("open descriptors after close: %s", describeDescriptors()).isLessThanOrEqualTo(fdsBefore);
        assertThat(awaitValue(Duration.ofSeconds(10), ResourcesReturnToBaselineTest::liveThreads, threadsBefore))
                .as("live threads after close").isLessThanOrEqualTo(threadsBefore);
    }

    private static String roundTrip(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int openDescriptors() {
        return Descriptors.open();
    }

    /** What each open descriptor is, for the failure message. */
    static String describeDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return fd.getFileName() + "->" + Files.readSymbolicLink(fd);
                } catch (IOException e) {
                    return fd.getFileName() + "->?";
                }
            }).sorted().toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * Live platform threads, less the JDK's own pool of virtual-thread carriers and I/O pollers,
     * which grows lazily up to the number of processors whatever the server does.
     */
    static int liveThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(name -> !name.startsWith("ForkJoinPool-") && !name.endsWith("-Poller") && !name.contains("Poller"))
                .count();
    }

    /** Lets threads that earlier tests started (timers, request threads) end before the baseline is taken. */
    private static void waitUntilSettled() throws InterruptedException {
        int previous = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < deadline) {
            int now = liveThreads() * 100_000 + openDescriptors();
            if (now == previous) {
                return;
            }
            previous = now;
            awaitAtMost(Duration.ofMillis(200), () -> false);
        }
    }

    /** Polls until {@code value} is at most {@code target} or the deadline passes; returns the last value seen. */
    static int awaitValue(Duration timeout, IntSupplier value, int target) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = value.getAsInt();
        while (seen > target && System.nanoTime() < deadline) {
            awaitAtMost(Duration.ofMillis(20), () -> false);
            seen = value.getAsInt();
        }
        return seen;
    }

    static boolean awaitAtMost(Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        return true;
    }
}
