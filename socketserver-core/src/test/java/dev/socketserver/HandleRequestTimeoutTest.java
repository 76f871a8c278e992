package dev.socketserver;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** §5 row 34 (§2.2): handleRequest() waits at most the server's timeout, then calls handleTimeout(). */
@Timeout(30)
class HandleRequestTimeoutTest {

    @Test
    @DisplayName("row 34: with no client handleRequest() times out after about 0.2 s and calls handleTimeout; with clients it serves exactly one")
    void handleRequestTimesOutWhenIdleAndServesExactlyOneRequestOtherwise() throws Exception {
        AtomicInteger timeouts = new AtomicInteger();
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous()) {
            @Override
            protected void handleTimeout() {
                timeouts.incrementAndGet();
            }
        }) {
            server.setTimeout(Duration.ofMillis(200));

            // (a) nobody there
            long start = System.nanoTime();
            server.handleRequest();
            assertThat(TestServers.since(start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            assertThat(timeouts.get()).isEqualTo(1);

            // (b) two clients waiting: one call serves one of them, and does not time out
            try (var first = StreamClient.connect(server.serverAddress());
                 var second = StreamClient.connect(server.serverAddress())) {
                first.send("one\n");
                second.send("two\n");

                server.handleRequest();
                boolean firstServed = !first.staysSilentFor(Duration.ofMillis(100));
                boolean secondServed = !second.staysSilentFor(Duration.ofMillis(100));
                assertThat(firstServed ^ secondServed).as("exactly one client served").isTrue();
                assertThat(timeouts.get()).isEqualTo(1);

                server.handleRequest();
                assertThat(first.readToEof()).isEqualTo("one\n");
                assertThat(second.readToEof()).isEqualTo("two\n");
                assertThat(timeouts.get()).isEqualTo(1);
            }
        }
    }

    @Test
    @DisplayName("row 34: without a timeout, handleRequest() waits for and serves the next client")
    void withoutTimeoutHandleRequestServesTheWaitingClient() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous());
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(server.timeout()).isNull();
            client.send("hi\n");
            server.handleRequest();
            assertThat(client.readToEof()).isEqualTo("hi\n");
        }
    }
}
