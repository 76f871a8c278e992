package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * §5 row 17: a {@link java.lang.Error} from a handler is fatal, Python's {@code SystemExit}:
 * {@code handleError} is not called and the connection is closed. In the synchronous model it
 * propagates out of {@code serveForever}/{@code handleRequest}; in the thread models it reaches
 * the request thread's uncaught-exception handler, and the server keeps serving.
 */
@Timeout(30)
class FatalErrorTest {
    static final class Fatal extends Error {
        Fatal() {
            super("fatal on purpose");
        }
    }

    private final StringBuffer calls = new StringBuffer();
    private final AtomicInteger requests = new AtomicInteger();

    /** Fatal for the first request, an echo of one line for later ones. */
    private final ConnectionHandler fatalFirst = conn -> {
        if (requests.getAndIncrement() == 0) {
            calls.append("Handler called\n");
            throw new Fatal();
        }
        conn.out().write((conn.readLine() + "\n").getBytes());
    };

    private TcpServer newServer(Concurrency concurrency) throws Exception {
        return new TcpServer(TestServers.loopback(), fatalFirst, concurrency) {
            @Override
            protected void handleError(Connection request, SocketAddress clientAddress, Throwable error) {
                calls.append("Error handled\n");
            }
        };
    }

    private Thread.UncaughtExceptionHandler previousDefault;
    private final AtomicReference<Throwable> uncaught = new AtomicReference<>();
    private final AtomicReference<Thread> uncaughtIn = new AtomicReference<>();

    @BeforeEach
    void catchUncaughtExceptions() {
        previousDefault = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            uncaughtIn.set(thread);
            uncaught.set(error);
        });
    }

    @AfterEach
    void restoreUncaughtExceptionHandler() {
        Thread.setDefaultUncaughtExceptionHandler(previousDefault);
    }

    @Test
    @DisplayName("row 17 (sync): the Error propagates out of serveForever, unhandled, and the client sees EOF")
    void errorInASynchronousHandlerPropagatesOutOfServeForever() throws Exception {
        try (var server = newServer(Concurrency.synchronous());
             Serving<?> serving = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(client.readToEof()).isEmpty();

            assertThat(serving.awaitFailure(DEADLINE)).isInstanceOf(Fatal.class);
            assertThat(calls.toString()).isEqualTo("Handler called\n");
            assertThat(uncaught.get()).isNull();
        }
    }

    @Test
    @DisplayName("row 17 (sync): the Error propagates out of handleRequest, and the client sees EOF")
    void errorInASynchronousHandlerPropagatesOutOfHandleRequest() throws Exception {
        try (var server = newServer(Concurrency.synchronous());
             var client = StreamClient.connect(server.serverAddress())) {   // waits in the backlog

            assertThatThrownBy(server::handleRequest).isInstanceOf(Fatal.class);
            assertThat(client.readToEof()).isEmpty();
            assertThat(calls.toString()).isEqualTo("Handler called\n");

            // the server is still usable: the next handleRequest serves the next client
            try (var next = StreamClient.connect(server.serverAddress())) {
                next.send("again\n");
                server.handleRequest();
                assertThat(next.readToEof()).isEqualTo("again\n");
            }
        }
    }

    static Stream<Concurrency> threadModels() {
        return Stream.of(Concurrency.threads(), Concurrency.virtualThreads());
    }

    @DisplayName("row 17 (threads): the Error reaches the request thread's uncaught-exception handler; the server keeps serving")
    @ParameterizedTest(name = "{0}")
    @MethodSource("threadModels")
    void errorInARequestThreadReachesTheUncaughtExceptionHandler(Concurrency concurrency) throws Exception {
        try (var server = newServer(concurrency);
             Serving<?> serving = TestServers.serve(server)) {
            try (var client = StreamClient.connect(server.serverAddress())) {
                assertThat(client.readToEof()).isEmpty();
            }
            TestServers.await(DEADLINE, "the Error reaches the uncaught-exception handler", () -> uncaught.get() != null);

            assertThat(uncaught.get()).isInstanceOf(Fatal.class);
            assertThat(uncaughtIn.get().getName()).startsWith("socketserver-request-");
            assertThat(uncaughtIn.get()).isNotSameAs(serving.thread());
            assertThat(calls.toString()).isEqualTo("Handler called\n");
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "still there\n")).isEqualTo("still there\n");
            assertThat(serving.ended()).isFalse();
        }
    }
}
