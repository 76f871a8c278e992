package dev.socketserver.async;

import dev.socketserver.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.socketserver.async.AsyncServerTest.await;
import static dev.socketserver.async.AsyncServerTest.connect;
import static dev.socketserver.async.AsyncServerTest.tcpRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md A2 on the event loop: a failing accept (too many open files and its relatives)
 * backs off 5, 10, 20 ... 1000 ms instead of spinning, the listener stays open, the errors are
 * counted and logged at most once a second, and serving resumes once accept works again.
 */
@Timeout(30)
class AsyncAcceptBackoffTest {

    @ParameterizedTest
    @ValueSource(strings = {"Too many open files", "Too many open files in system", "No buffer space available", "Cannot allocate memory"})
    void failingAcceptsBackOffAndServingResumes(String error) throws Exception {
        AtomicBoolean failing = new AtomicBoolean(true);
        AtomicInteger attempts = new AtomicInteger();
        try (var capture = new LogCapture();
             var server = AsyncServer.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), AsyncServerTest.Echo::new)) {
            server.acceptWith(listener -> {
                if (failing.get()) {
                    attempts.incrementAndGet();
                    throw new IOException(error);
                }
                return listener.accept();
            });
            server.start();
            try (Socket waiting = connect(server.serverAddress())) {   // makes the listener ready: accept is attempted
                await(Duration.ofMillis(1500), () -> false);
                assertThat(attempts.get()).as("accept attempts in 1.5 s").isBetween(2, 12);
                failing.set(false);
                waiting.getOutputStream().write('x');
                assertThat(waiting.getInputStream().read()).isEqualTo('x');   // served within the last backoff (1 s at most)
            }
            assertThat(tcpRoundTrip(server.serverAddress(), "next")).isEqualTo("next");
            assertThat(server.stats().acceptErrors()).isEqualTo(attempts.get());
            long logged = capture.entries().stream().filter(e -> e.message().contains(error)).count();
            assertThat(logged).isBetween(1L, 2L);
        }
    }

    @Test
    void theBackoffStartsOverAfterASuccessfulAccept() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        try (var capture = new LogCapture();
             var server = AsyncServer.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), AsyncServerTest.Echo::new)) {
            server.acceptWith(listener -> {
                if (calls.incrementAndGet() % 2 == 1) {   // every other accept fails once
                    failures.incrementAndGet();
                    throw new IOException("Too many open files");
                }
                return listener.accept();
            });
            server.start();
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertThat(tcpRoundTrip(server.serverAddress(), "ping " + i)).isEqualTo("ping " + i);
            }
            // each client waits one short backoff (5 ms), never a growing one
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(failures.get()).isGreaterThanOrEqualTo(5);
        }
    }
}
