package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/** §5 row 35: serviceActions() runs about once per poll interval while idle, and after each request. */
@Timeout(30)
class ServiceActionsTest {
    private final AtomicInteger actions = new AtomicInteger();

    private TcpServer newServer() throws Exception {
        return new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous()) {
            @Override
            protected void serviceActions() {
                actions.incrementAndGet();
            }
        };
    }

    @Test
    @DisplayName("row 35: idle with serveForever(100 ms), serviceActions runs about ten times a second, and the loop does not spin")
    void idleLoopRunsServiceActionsOncePerPollIntervalWithoutSpinning() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (var server = newServer();
             Serving<?> serving = TestServers.serve(server, Duration.ofMillis(100))) {
            long start = System.nanoTime();
            long cpuStart = threads.getThreadCpuTime(serving.thread().threadId());

            TestServers.await(DEADLINE, "serviceActions ran 10 times", () -> actions.get() >= 10);
            Duration took = TestServers.since(start);
            long cpu = threads.getThreadCpuTime(serving.thread().threadId()) - cpuStart;

            // ten poll intervals of 100 ms: a loop that did not wait would get there at once
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(800));
            if (threads.isThreadCpuTimeSupported() && cpuStart >= 0) {
                assertThat(Duration.ofNanos(cpu)).isLessThan(Duration.ofMillis(300));
            }
        }
    }

    @Test
    @DisplayName("row 35: serviceActions runs at least once per handled request, whatever the poll interval")
    void serviceActionsRunsAfterEachRequest() throws Exception {
        try (var server = newServer();
             Serving<?> _ = TestServers.serve(server, Duration.ofSeconds(30))) {
            for (int i = 0; i < 3; i++) {
                assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "x\n")).isEqualTo("x\n");
            }
            // well before the 30 s poll interval could have run it
            TestServers.await(DEADLINE, "serviceActions ran after each of 3 requests", () -> actions.get() >= 3);
        }
    }
}
