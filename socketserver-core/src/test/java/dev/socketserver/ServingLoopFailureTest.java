package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 11, item 4, for the blocking servers: an {@link Error} in the serving thread (here the
 * {@link OutOfMemoryError} that starting a request's thread throws when no thread can be made)
 * fails the server as a whole. By the time {@code serveForever} throws it, the listening socket
 * is closed (new clients are refused) and running requests' connections are closed: no process
 * keeps a port that serves nobody.
 */
@Timeout(30)
class ServingLoopFailureTest {

    static Stream<Concurrency> threadModels() {
        return Stream.of(Concurrency.threads(), Concurrency.virtualThreads(), Concurrency.bounded(4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("threadModels")
    void anErrorStartingARequestClosesTheListenerAndConnectionsAndServeForeverThrowsIt(Concurrency concurrency) throws Exception {
        AtomicInteger started = new AtomicInteger();
        ConnectionHandler echoLines = conn -> {
            for (String line; (line = conn.readLine()) != null; ) {
                conn.out().write((line + "\n").getBytes());
            }
        };
        var server = new TcpServer(TestServers.loopback(), echoLines, concurrency) {
            @Override
            protected void processRequest(Connection request, SocketAddress clientAddress) throws Exception {
                if (started.getAndIncrement() == 1) {
                    throw new OutOfMemoryError("unable to create native thread (on purpose)");
                }
                super.processRequest(request, clientAddress);
            }
        };
        try (server; Serving<?> serving = TestServers.serve(server);
             var running = StreamClient.connect(server.serverAddress())) {
            running.send("hello\n");
            assertThat(running.readLine()).isEqualTo("hello");

            try (var second = StreamClient.connect(server.serverAddress())) {
                assertThat(serving.awaitFailure(DEADLINE)).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("on purpose");
                assertRefused(server.serverAddress());
                assertThat(second.readToEof()).isEmpty();
            }
            assertThat(running.readToEof()).as("the running request's connection is closed").isEmpty();
            assertThat(TestServers.join(serving.thread(), DEADLINE)).isTrue();
        }
    }

    @Test
    void anErrorFromASynchronousHandlerClosesTheListenerBeforeServeForeverThrowsIt() throws Exception {
        ConnectionHandler fatal = conn -> {
            throw new StackOverflowError("on purpose");
        };
        try (var server = new TcpServer(TestServers.loopback(), fatal, Concurrency.synchronous());
             Serving<?> serving = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(serving.awaitFailure(DEADLINE)).isInstanceOf(StackOverflowError.class);
            assertRefused(server.serverAddress());
            assertThat(client.readToEof()).isEmpty();
            long start = System.nanoTime();
            server.shutdown(Duration.ofSeconds(30));
            assertThat(TestServers.since(start)).isLessThan(Duration.ofSeconds(2));
        }
    }

    private static void assertRefused(SocketAddress address) {
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(address, 1000);
            }
        }).isInstanceOf(ConnectException.class);
    }
}
