package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * §5 row 25: {@code shutdown()} stops serving but leaves the listener open until {@code close()},
 * as in Python; {@code shutdown(Duration)} (beyond, P5) closes the listener at once and drains.
 */
@Timeout(30)
class ListenerAfterShutdownTest {

    @Test
    @DisplayName("row 25: after shutdown() a new client connects but is not served; close() ends it and refuses later clients")
    void afterShutdownTheListenerQueuesClientsUntilClose() throws Exception {
        var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous());
        try (Serving<?> serving = TestServers.serve(server)) {
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "served\n")).isEqualTo("served\n");
            server.shutdown();
            serving.awaitNormalEnd(DEADLINE);

            try (var late = StreamClient.connect(server.serverAddress())) {   // the kernel completes the handshake
                late.send("hi\n");
                assertThat(late.staysSilentFor(Duration.ofMillis(300))).isTrue();

                server.close();
                assertThat(late.endsWithinReadTimeout()).isTrue();   // reset, or EOF
                assertThat(late.rest()).isEmpty();
            }
            assertThatThrownBy(() -> StreamClient.connect(server.serverAddress())).isInstanceOf(ConnectException.class);
        }
    }

    @DisplayName("row 25 / P5 [beyond]: shutdown(Duration) refuses new clients at once while a running request finishes")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void drainingShutdownRefusesNewClientsAtOnceAndLetsTheRunningRequestFinish(Concurrency concurrency) throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.HOLD.stream(), concurrency);
             Serving<?> serving = TestServers.serve(server);
             var holding = StreamClient.connect(server.serverAddress())) {
            holding.send("a request under way");   // unanswered: not a quiet point, so the drain waits for it
            TestServers.await(DEADLINE, "the HOLD request runs", () -> server.activeRequests() == 1);

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(10)));
            TestServers.await(DEADLINE, "the server drains", server::isDraining);
            TestServers.await(DEADLINE, "the listener is closed", () -> !server.channel().isOpen());

            assertThatThrownBy(() -> StreamClient.connect(server.serverAddress())).isInstanceOf(ConnectException.class);
            assertThat(server.activeRequests()).isEqualTo(1);
            assertThat(drained).isNotDone();

            holding.shutdownOutput();   // HOLD reads to EOF, then returns
            assertThat(drained.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(holding.readToEof()).isEmpty();
            serving.awaitNormalEnd(DEADLINE);
        }
    }
}
