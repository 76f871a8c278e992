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
 * reliability.md A2 where the blocking servers have more to say: out of descriptors, a logger that
 * fails too does not end serving, and a fatal accept error ends serveForever with the exception.
 * The backoff itself (growing, not a spin, the listener open, counted, logged at most once a
 * second, serving resumed, starting over after a success) is the contract suite's
 * ({@code contract.AcceptBackoffContractTest}), run against both families.
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
