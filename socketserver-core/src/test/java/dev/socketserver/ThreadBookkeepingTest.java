package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * §5 row 33 (bpo-37193, P7): the bookkeeping of running requests holds only running requests, and
 * request threads end with their request, so neither grows with the number served.
 */
@Timeout(30)
class ThreadBookkeepingTest {
    private static final int CONNECTIONS = 1000;

    private static long liveRequestThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("socketserver-request-") && t.isAlive())
                .count();
    }

    @DisplayName("row 33: after 1000 sequential connections no request is tracked and no request thread is left")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#threadModels")
    void sequentialConnectionsLeaveNoTrackedRequestsOrThreadsBehind(Concurrency concurrency) throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), concurrency);
             Serving<?> _ = TestServers.serve(server)) {
            for (int i = 0; i < CONNECTIONS; i++) {
                assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), i + "\n")).isEqualTo(i + "\n");
            }

            TestServers.await(DEADLINE, "no request is tracked", () -> server.activeRequests() == 0);
            // platform request threads are visible here; virtual ones are not, and are covered by activeRequests()
            TestServers.await(DEADLINE, "no request thread is alive", () -> liveRequestThreads() == 0);
        }
    }
}
