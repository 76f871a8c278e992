package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * §5 row 22: a stream handler's timeout ends a request whose client sends nothing. On TCP the JDK
 * times the read; on a Unix stream, which has no timed read in the JDK, the library does.
 */
@Timeout(30)
class ReadTimeoutTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    /** ECHOLINE with a 0.3 s read timeout. */
    static final class TimedEcho extends StreamRequestHandler {
        TimedEcho() {
            setTimeout(Duration.ofMillis(300));
        }

        @Override
        protected void handle() throws Exception {
            wfile().write(ReferenceHandlers.readLine(rfile()));
        }
    }

    @DisplayName("row 22: a silent client sees EOF after about 0.3 s, one timeout block is logged, and the next client is served")
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"TCP", "UNIX"})
    void silentClientIsDisconnectedAfterTheHandlerTimeout(Transport transport) throws Exception {
        StreamServer server = transport == Transport.TCP
                ? new TcpServer(TestServers.loopback(), TimedEcho::new, Concurrency.synchronous())
                : new UnixStreamServer(dir.resolve("t.sock"), TimedEcho::new, Concurrency.synchronous());
        try (var log = new LogCapture();
             Serving<?> _ = TestServers.serve(server)) {
            long start = System.nanoTime();   // before the connect: the server may time the read before connect() returns here
            try (var silent = StreamClient.connect(server.serverAddress())) {
                assertThat(silent.readToEof()).isEmpty();
            }
            assertThat(TestServers.since(start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));

            assertThat(log.errorBlockEntries()).singleElement()
                    .satisfies(block -> assertThat(block.thrown()).isInstanceOf(SocketTimeoutException.class));
            assertThat(TestServers.exchange(transport, server.serverAddress(), "next\n")).isEqualTo("next\n");
        }
    }

    @DisplayName("row 22: a client that answers within the timeout is served normally")
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"TCP", "UNIX"})
    void clientThatSendsInTimeIsServed(Transport transport) throws Exception {
        StreamServer server = transport == Transport.TCP
                ? new TcpServer(TestServers.loopback(), TimedEcho::new, Concurrency.virtualThreads())
                : new UnixStreamServer(dir.resolve("t.sock"), TimedEcho::new, Concurrency.virtualThreads());
        try (var log = new LogCapture();
             Serving<?> _ = TestServers.serve(server)) {
            assertThat(TestServers.exchange(transport, server.serverAddress(), "in time\n")).isEqualTo("in time\n");
            assertThat(log.errorBlocks()).isEmpty();
        }
    }

    @Test
    @DisplayName("Connection.setReadTimeout: on TCP a read that timed out may be retried and then succeeds")
    void tcpReadMayBeRetriedAfterATimeout() throws Exception {
        CountDownLatch timedOut = new CountDownLatch(1);
        ConnectionHandler retrying = conn -> {
            conn.setReadTimeout(Duration.ofMillis(100));
            try {
                conn.readLine();
            } catch (SocketTimeoutException e) {
                timedOut.countDown();
            }
            conn.out().write(("got " + conn.readLine() + "\n").getBytes(StandardCharsets.UTF_8));
        };
        try (var server = new TcpServer(TestServers.loopback(), retrying, Concurrency.threads());
             Serving<?> _ = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(timedOut.await(TestServers.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            client.send("late\n");
            assertThat(client.readToEof()).isEqualTo("got late\n");
        }
    }

    @Test
    @DisplayName("Connection.setReadTimeout: on a Unix stream the handler can still write after a read timed out")
    void unixStreamHandlerCanStillWriteAfterAReadTimeout() throws Exception {
        ConnectionHandler answering = conn -> {
            conn.setReadTimeout(Duration.ofMillis(100));
            try {
                conn.readLine();
            } catch (SocketTimeoutException e) {
                conn.out().write("timed out\n".getBytes(StandardCharsets.UTF_8));
            }
        };
        try (var server = new UnixStreamServer(dir.resolve("w.sock"), answering, Concurrency.threads());
             Serving<?> _ = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(client.readToEof()).isEqualTo("timed out\n");
        }
    }
}
