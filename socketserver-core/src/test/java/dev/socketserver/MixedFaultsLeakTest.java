package dev.socketserver;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md I1 in small (the CI version of the 100k-connection script): 2,000 connections in
 * a mix of clean echoes (60 %), resets mid-request (10 %), idle until the idle timeout (10 %),
 * garbage to a TLS server (10 %) and malformed PROXY headers (10 %), 50 at a time. Afterwards
 * every server is idle, the failures are counted, and descriptors and threads are back where
 * they were while the servers still serve.
 */
@Timeout(60)
class MixedFaultsLeakTest {
    private static final int CONNECTIONS = 2_000;
    private static SSLContext serverContext;

    @BeforeAll
    static void loadCertificate() throws Exception {
        serverContext = TestCertificates.serverContext();
    }

    static Stream<Concurrency> models() {
        return Stream.of(Concurrency.threads(), Concurrency.virtualThreads());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void descriptorsAndThreadsReturnToBaselineAfterAMixOfFaults(Concurrency model) throws Exception {
        ConnectionHandler echoLine = conn -> {
            String line = conn.readLine();
            if (line != null) {
                conn.out().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        };
        try (var log = new LogCapture();
             var plain = new TcpServer(TestServers.loopback(), echoLine, model);
             var tls = new TcpServer(TestServers.loopback(), echoLine, model,
                     ServerOptions.builder().tls(TlsOptions.of(serverContext)).build());
             var proxied = new TcpServer(TestServers.loopback(), echoLine, model, ServerOptions.builder().proxyProtocol(ProxyProtocol.from("127.0.0.0/8")).build())) {
            plain.setIdleTimeout(Duration.ofMillis(200));
            List<Thread> serving = Stream.of(plain, tls, proxied)
                    .map(s -> Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(s))).toList();
            assertThat(exchange(plain, "warm up\n")).isEqualTo("warm up\n");
            TestServers.await(DEADLINE, "the warm-up ends", () -> plain.activeRequests() == 0);
            int fds = Descriptors.baseline();
            int threads = ResourcesReturnToBaselineTest.liveThreads();

            Semaphore inFlight = new Semaphore(50);
            List<Future<String>> outcomes = new ArrayList<>();
            try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CONNECTIONS; i++) {
                    int kind = i % 10;
                    inFlight.acquire();
                    outcomes.add(clients.submit(() -> {
                        try {
                            return switch (kind) {
                                case 6 -> reset(plain);
                                case 7 -> idle(plain);
                                case 8 -> exchange(tls, "GET / HTTP/1.0\r\n\r\n").contains("GET") ? "answered" : "closed";   // an alert at most
                                case 9 -> exchange(proxied, "PROXY TCP9 x\r\nhello\n").isEmpty() ? "closed" : "answered";
                                default -> exchange(plain, "clean " + kind + "\n").equals("clean " + kind + "\n") ? "echoed" : "wrong echo";
                            };
                        } finally {
                            inFlight.release();
                        }
                    }));
                }
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                String expected = switch (i % 10) {
                    case 6 -> "reset";
                    case 7, 8, 9 -> "closed";
                    default -> "echoed";
                };
                assertThat(outcomes.get(i).get(30, TimeUnit.SECONDS)).as("connection %d", i).isEqualTo(expected);
            }
            TestServers.await(DEADLINE, "every request ends",
                    () -> plain.activeRequests() + tls.activeRequests() + proxied.activeRequests() == 0);
            assertThat(tls.stats().tlsHandshakeFailures()).isEqualTo(CONNECTIONS / 10);
            assertThat(proxied.stats().proxyRejectionsByReason()).containsEntry("bad_family", (long) CONNECTIONS / 10);
            assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, Descriptors::open, fds))
                    .as("descriptors: %s", ResourcesReturnToBaselineTest.describeDescriptors()).isLessThanOrEqualTo(fds);
            assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, ResourcesReturnToBaselineTest::liveThreads, threads))
                    .isLessThanOrEqualTo(threads);
            assertThat(log.errorBlocks()).isEmpty();
            for (var server : List.of(plain, tls, proxied)) {
                server.shutdown();
            }
            for (Thread thread : serving) {
                thread.join(5_000);
            }
        }
    }

    private static Socket connect(TcpServer server) throws IOException {
        Socket socket = new Socket();
        socket.connect(server.serverAddress(), 10_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Sends the text and reads to EOF; a reset reads as nothing. */
    private static String exchange(TcpServer server, String text) throws IOException {
        try (Socket socket = connect(server)) {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketException reset) {
            return "";
        }
    }

    /** Half a line, then a reset. */
    private static String reset(TcpServer server) throws IOException {
        try (Socket socket = connect(server)) {
            socket.getOutputStream().write("half a li".getBytes(StandardCharsets.UTF_8));
            socket.setSoLinger(true, 0);
        }
        return "reset";
    }

    /** Sends nothing and waits for the idle timeout to close the connection. */
    private static String idle(TcpServer server) throws IOException {
        try (Socket socket = connect(server)) {
            return socket.getInputStream().read() == -1 ? "closed" : "got data";
        } catch (SocketException reset) {
            return "closed";
        }
    }
}
