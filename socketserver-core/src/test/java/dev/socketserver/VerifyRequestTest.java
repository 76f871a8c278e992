package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * §5 row 14 (bpo-26309): a request that verifyRequest() refuses is closed unserved, and
 * shutdownRequest() runs exactly once for every request, refused or served.
 */
@Timeout(30)
class VerifyRequestTest {

    @DisplayName("row 14: a refused client sees EOF with 0 bytes, the handler never runs, and shutdownRequest runs once")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void refusedRequestIsClosedUnservedAndShutDownOnce(Concurrency concurrency) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger shutdowns = new AtomicInteger();
        try (var server = new TcpServer(TestServers.loopback(), conn -> handled.incrementAndGet(), concurrency) {
            @Override
            protected boolean verifyRequest(Connection request, SocketAddress clientAddress) {
                return false;
            }

            @Override
            protected void shutdownRequest(Connection request) {
                shutdowns.incrementAndGet();
                super.shutdownRequest(request);
            }
        };
             Serving<?> _ = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(client.readToEof()).isEmpty();
            TestServers.await(DEADLINE, "shutdownRequest ran", () -> shutdowns.get() >= 1);
            assertThat(handled.get()).isZero();
            assertThat(shutdowns.get()).isEqualTo(1);
        }
    }

    @DisplayName("row 14: for served requests too, shutdownRequest runs exactly once each")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void servedRequestsAreShutDownExactlyOnceEach(Concurrency concurrency) throws Exception {
        AtomicInteger shutdowns = new AtomicInteger();
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), concurrency) {
            @Override
            protected void shutdownRequest(Connection request) {
                shutdowns.incrementAndGet();
                super.shutdownRequest(request);
            }
        };
             Serving<?> _ = TestServers.serve(server)) {
            for (int i = 0; i < 3; i++) {
                assertThat(TestServers.exchange(TestServers.Transport.TCP, server.serverAddress(), "x\n")).isEqualTo("x\n");
            }
            TestServers.await(DEADLINE, "no request runs", () -> server.activeRequests() == 0);
            assertThat(shutdowns.get()).isEqualTo(3);
        }
    }

    @Test
    @DisplayName("§2.3: a UDP datagram that verifyRequest() refuses is dropped without a reply")
    void refusedDatagramIsDroppedWithoutReply() throws Exception {
        try (var server = new UdpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.datagram(), Concurrency.synchronous()) {
            @Override
            protected boolean verifyRequest(Datagram request, SocketAddress clientAddress) {
                return !new String(request.data(), StandardCharsets.UTF_8).equals("drop");
            }
        };
             Serving<?> _ = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            client.send("drop");
            client.send("keep");
            // handled in order: a reply to "drop" (even an empty one) would arrive first
            assertThat(client.receive()).isEqualTo("keep");
        }
    }
}
