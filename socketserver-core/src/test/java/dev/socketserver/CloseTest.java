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

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code close()} releases the socket and, unlike Python's {@code server_close()}, also stops a
 * running loop (instead of making it spin) and may be called from anywhere, a handler included.
 */
@Timeout(30)
class CloseTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @DisplayName("row 38: after a try-with-resources block the server's socket is closed and clients are refused")
    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void tryWithResourcesClosesTheSocket(Transport transport) throws Exception {
        BaseServer<?> server;
        SocketAddress address;
        try (BaseServer<?> s = transport.newServer(ReferenceHandlers.ECHOLINE, Concurrency.virtualThreads(), dir);
             Serving<?> _ = TestServers.serve(s)) {
            server = s;
            address = s.serverAddress();
            assertThat(TestServers.exchange(transport, address, "in\n")).isEqualTo("in\n");
        }
        assertThat(server.isClosed()).isTrue();
        switch (server) {
            case StreamServer stream -> {
                assertThat(stream.channel().isOpen()).isFalse();
                assertThatThrownBy(() -> StreamClient.connect(address)).isInstanceOfAny(ConnectException.class, SocketException.class);
            }
            case UdpServer udp -> assertThat(udp.channel().isOpen()).isFalse();
            default -> throw new AssertionError(server);
        }
    }

    @DisplayName("P4 [beyond]: close() without shutdown() stops the loop, which returns normally (Python spins at 100% CPU)")
    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void closeWithoutShutdownStopsTheLoop(Transport transport) throws Exception {
        BaseServer<?> server = transport.newServer(ReferenceHandlers.ECHOLINE, Concurrency.synchronous(), dir);
        try (Serving<?> serving = TestServers.serve(server, Duration.ofSeconds(5))) {
            assertThat(TestServers.exchange(transport, server.serverAddress(), "up\n")).isEqualTo("up\n");
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            assumeTrue(threads.isThreadCpuTimeSupported(), "thread CPU time is not measurable here");
            long cpuBefore = threads.getThreadCpuTime(serving.thread().threadId());

            server.close();

            serving.awaitNormalEnd(Duration.ofSeconds(2));
            long cpuAfter = threads.getThreadCpuTime(serving.thread().threadId());   // -1 once the thread is gone
            if (cpuAfter >= 0) {
                assertThat(Duration.ofNanos(cpuAfter - cpuBefore)).isLessThan(Duration.ofMillis(500));
            }
            assertThat(server.isClosed()).isTrue();
        }
    }

    @Test
    @DisplayName("[beyond]: close() right after starting serveForever always ends it, whichever comes first (20 servers)")
    void closeRightAfterStartingAlwaysEndsTheLoop() throws Exception {
        List<Thread> loops = new ArrayList<>();
        List<CompletableFuture<Void>> outcomes = new ArrayList<>();
        List<TcpServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                TcpServer server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.threads());
                servers.add(server);
                CompletableFuture<Void> outcome = new CompletableFuture<>();
                outcomes.add(outcome);
                loops.add(Thread.ofPlatform().start(() -> {
                    try {
                        server.serveForever(Duration.ofMillis(10));
                        outcome.complete(null);
                    } catch (Throwable t) {
                        outcome.completeExceptionally(t);
                    }
                }));
                server.close();
            }
            for (int i = 0; i < 20; i++) {
                assertThat(TestServers.join(loops.get(i), DEADLINE)).as("loop %d ended", i).isTrue();
                // the loop either ran and was stopped, or refused to start on a closed server
                CompletableFuture<Void> outcome = outcomes.get(i);
                if (outcome.isCompletedExceptionally()) {
                    assertThat(outcome.exceptionNow()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
                }
            }
        } finally {
            servers.forEach(TcpServer::close);
            loops.forEach(t -> TestServers.join(t, DEADLINE));
        }
    }

    @Test
    @DisplayName("[beyond]: serveForever() and handleRequest() on a closed server throw IllegalStateException")
    void servingAClosedServerThrows() throws Exception {
        var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous());
        server.close();
        assertThatThrownBy(server::serveForever).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(server::handleRequest).isInstanceOf(IllegalStateException.class);
        server.close();   // idempotent
    }

    @DisplayName("P21 [beyond]: close() from inside a handler stops the server without deadlock (Python: RuntimeError in threads)")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void closeFromInsideAHandlerStopsTheServer(Concurrency concurrency) throws Exception {
        var closing = ReferenceHandlers.of("CLOSE", (h, in, out) -> {
            ReferenceHandlers.readLine(in);
            h.server().close();
            out.write(ReferenceHandlers.bytes("closed\n"));
        });
        try (var server = new TcpServer(TestServers.loopback(), closing.stream(), concurrency);
             Serving<?> serving = TestServers.serve(server)) {
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "close\n")).isEqualTo("closed\n");
            serving.awaitNormalEnd(DEADLINE);
            assertThat(server.isClosed()).isTrue();
            assertThat(server.channel().isOpen()).isFalse();
        }
    }
}
