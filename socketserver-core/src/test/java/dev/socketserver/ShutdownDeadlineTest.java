package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * reliability.md C3: handlers blocked for good, and {@code shutdown(Duration)}. The listener
 * closes at once; at the deadline the server closes the connections and interrupts the request
 * threads, so handlers blocked on something other than their connection (a sleep, a lock) end
 * too; {@code shutdown} returns soon after the deadline and reports that not everything finished.
 */
@Timeout(30)
class ShutdownDeadlineTest {
    private static final Duration DRAIN = Duration.ofMillis(500);

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#threadModels")
    void handlersBlockedForGoodAreInterruptedAtTheDeadline(Concurrency model) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        ConnectionHandler blockedForGood = conn -> {
            try {
                if (conn.readLine().equals("sleep")) {
                    never.await();   // blocked, and not on the connection
                } else {
                    conn.in().read();   // blocked on the connection
                }
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
        };
        List<StreamClient> clients = new ArrayList<>();
        try (var log = new LogCapture();
             var server = new TcpServer(TestServers.loopback(), blockedForGood, model);
             Serving<?> serving = TestServers.serve(server)) {
            for (int i = 0; i < 5; i++) {
                StreamClient client = StreamClient.connect(server.serverAddress());
                client.send(i < 3 ? "sleep\n" : "read\n");
                clients.add(client);
            }
            TestServers.await(DEADLINE, "five requests run", () -> server.activeRequests() == (model.toString().startsWith("bounded") ? 3 : 5));

            long start = System.nanoTime();
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> server.shutdown(DRAIN));
            TestServers.await(Duration.ofSeconds(1), "the listener closes at once", () -> !server.channel().isOpen());
            assertThatThrownBy(() -> StreamClient.connect(server.serverAddress())).isInstanceOf(ConnectException.class);

            assertThat(drained.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).as("every request finished in time").isFalse();
            assertThat(TestServers.since(start)).isBetween(DRAIN.minusMillis(50), DRAIN.plusMillis(2500));   // not the 30 s test timeout
            TestServers.await(DEADLINE, "every blocked handler ends", () -> server.activeRequests() == 0);
            assertThat(interrupted.get()).as("handlers woken from a wait by an interrupt").isEqualTo(3);
            for (StreamClient client : clients) {
                assertThat(client.endsWithinReadTimeout()).isTrue();
            }
            serving.awaitNormalEnd(DEADLINE);
            assertThat(log.errorBlocks()).as("ended by shutdown on purpose: not errors").isEmpty();
        } finally {
            TestServers.closeAll(clients);
        }
    }
}
