package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.BindException;
import java.net.InetSocketAddress;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * reliability.md A6 and C6: binding a port that is taken fails at once, names the address, and
 * leaves nothing behind, while the first server serves on; and a server restarted on the same port
 * right after it stopped (its closed connections in TIME_WAIT) binds every time, with descriptors
 * and threads flat over many restarts.
 */
@Timeout(60)
class RestartAndBindFailureTest {

    @Test
    void aPortInUseFailsFastNamingItAndLeavesNothingBehind() throws Exception {
        try (var first = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream());
             Serving<?> _ = TestServers.serve(first)) {
            var address = (InetSocketAddress) first.serverAddress();
            int fds = Descriptors.baseline();
            int threads = ResourcesReturnToBaselineTest.liveThreads();
            assertThatThrownBy(() -> new TcpServer(address, ReferenceHandlers.ECHOLINE.stream()))
                    .isInstanceOf(BindException.class)
                    .hasMessageContaining("tcp://127.0.0.1:" + address.getPort())
                    .hasMessageContaining("Address already in use");
            assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, Descriptors::open, fds)).isLessThanOrEqualTo(fds);
            assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, ResourcesReturnToBaselineTest::liveThreads, threads))
                    .isLessThanOrEqualTo(threads);
            assertThat(TestServers.exchange(Transport.TCP, address, "still mine\n")).isEqualTo("still mine\n");
        }
    }

    /** C6: 50 restarts per model on one port, after the server itself closed connections (so they sit in TIME_WAIT). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void aServerRestartedOnItsPortRightAfterStoppingBindsEveryTime(Concurrency model) throws Exception {
        int port;
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), model);
             Serving<?> _ = TestServers.serve(server)) {
            port = ((InetSocketAddress) server.serverAddress()).getPort();
            for (int i = 0; i < 50; i++) {   // the server closes first: its side of each connection waits in TIME_WAIT
                assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "x\n")).isEqualTo("x\n");
            }
        }
        var address = new InetSocketAddress("127.0.0.1", port);
        int fds = -1;
        int threads = -1;
        for (int cycle = 0; cycle < 50; cycle++) {
            try (var server = new TcpServer(address, ReferenceHandlers.ECHOLINE.stream(), model);
                 Serving<?> _ = TestServers.serve(server)) {
                assertThat(TestServers.exchange(Transport.TCP, address, "cycle " + cycle + "\n")).isEqualTo("cycle " + cycle + "\n");
                TestServers.await(DEADLINE, "the request ends", () -> server.activeRequests() == 0);
            }
            if (cycle == 0) {
                fds = Descriptors.baseline();
                threads = ResourcesReturnToBaselineTest.liveThreads();
            }
        }
        assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, Descriptors::open, fds + 2)).isLessThanOrEqualTo(fds + 2);
        assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, ResourcesReturnToBaselineTest::liveThreads, threads + 2))
                .isLessThanOrEqualTo(threads + 2);
    }
}
