package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * reliability.md A2: a transient accept error (too many open files) is retried with a growing
 * backoff instead of a spin, the listener stays open, the next connection is served once accept
 * works again, and the errors are counted and logged at most once a second. A fatal error ends
 * serveForever with the exception.
 */
@Timeout(30)
class AcceptErrorBackoffTest {

    /** A TCP server whose accept fails while {@code failing} is set. */
    static final class FlakyAcceptServer extends TcpServer {
        final AtomicBoolean failing = new AtomicBoolean(true);
        final AtomicInteger attempts = new AtomicInteger();

        FlakyAcceptServer() throws IOException {
            super(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    conn -> conn.out().write("served".getBytes(StandardCharsets.UTF_8)), Concurrency.virtualThreads());
        }

        @Override
        protected Connection getRequest() throws IOException {
            if (failing.get()) {
                attempts.incrementAndGet();
                throw new IOException("Too many open files");
            }
            return super.getRequest();
        }
    }

    @Test
    void transientAcceptErrorsBackOffAndServingResumes() throws Exception {
        try (var capture = new LogCapture(); var server = new FlakyAcceptServer()) {
            Thread serving = Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            try (Socket waiting = new Socket()) {
                waiting.connect(server.serverAddress(), 5_000);   // makes the listener readable: accept is attempted
                waiting.setSoTimeout(10_000);
                ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofMillis(1500), () -> false);
                int attempts = server.attempts.get();
                assertThat(attempts).as("accept attempts in 1.5 s").isBetween(2, 12);   // 5, 10, 20 ... 1000 ms, not a spin
                assertThat(server.channel().isOpen()).isTrue();
                server.failing.set(false);
                assertThat(new String(waiting.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("served");
            }
            assertThat(server.stats().acceptErrors()).isEqualTo(server.attempts.get());
            long logged = capture.entries().stream().filter(e -> e.message().contains("Too many open files")).count();
            assertThat(logged).isBetween(1L, 2L);
            server.shutdown();
            serving.join(5_000);
        }
    }

    /**
     * Out of descriptors, logging may fail too: a log file, a class or the time-zone data opened for
     * the first time. The accept loop counts the error and goes on serving.
     */
    @Test
    void aLoggerThatFailsWhileDescriptorsAreExhaustedDoesNotEndServing() throws Exception {
        Error loggingFailure = new Error(new java.io.FileNotFoundException("tzdb.dat (Too many open files)"));
        try (var capture = LogCapture.failingWith(loggingFailure); var server = new FlakyAcceptServer()) {
            Thread serving = Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            try (Socket waiting = new Socket()) {
                waiting.connect(server.serverAddress(), 5_000);
                waiting.setSoTimeout(10_000);
                assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(5), () -> server.attempts.get() >= 2)).isTrue();
                assertThat(capture.entries()).isNotEmpty();   // the log call was made, and threw
                server.failing.set(false);
                assertThat(new String(waiting.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("served");
            }
            assertThat(serving.isAlive()).isTrue();
            server.shutdown();
            serving.join(5_000);
        }
    }

    @Test
    void aFatalErrorEndsServeForeverWithTheException() throws Exception {
        try (var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), conn -> { }) {
            @Override
            protected Connection getRequest() throws IOException {
                throw new ClosedChannelException();   // the socket is gone, and not by close()
            }
        }) {
            try (Socket client = new Socket()) {
                client.connect(server.serverAddress(), 5_000);
                assertThatThrownBy(server::serveForever).isInstanceOf(ClosedChannelException.class);
            }
        }
    }
}
