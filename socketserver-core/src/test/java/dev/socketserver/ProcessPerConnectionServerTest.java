package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Python §5 rows 5, 6, 18 and 32 for a process per connection: distinct children, the cap, exit statuses, no zombies. */
@Timeout(60)
class ProcessPerConnectionServerTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final ConnectionHandler UNUSED = conn -> {
        throw new AssertionError("the command serves, not the handler");
    };

    @Test
    void catEchoesAndEachConnectionGetsItsOwnChild() throws Exception {
        try (var server = new TcpServer(LOOPBACK, UNUSED, Concurrency.processPerConnection(List.of("sh", "-c", "echo $$; cat")))) {
            Thread serving = Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            Set<String> pids = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                List<String> lines = exchange(server, "line " + i + "\n").lines().toList();
                assertThat(lines.get(1)).isEqualTo("line " + i);
                pids.add(lines.getFirst());
            }
            assertThat(pids).hasSize(3).doesNotContain(Long.toString(ProcessHandle.current().pid()));
            server.shutdown();
            serving.join(5_000);
        }
    }

    @Test
    void theChildSeesUcspiEnvironment() throws Exception {
        try (var server = new TcpServer(LOOPBACK, UNUSED,
                Concurrency.processPerConnection(List.of("sh", "-c", "echo $PROTO $TCPREMOTEIP $TCPLOCALIP $TCPLOCALPORT")))) {
            Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            int port = ((InetSocketAddress) server.serverAddress()).getPort();
            assertThat(exchange(server, "")).isEqualTo("TCP 127.0.0.1 127.0.0.1 " + port + "\n");
        }
    }

    @Test
    void atMaxChildrenTheNextClientWaitsInTheBacklog() throws Exception {
        // each child answers once the client sends a line: the test decides when children end
        try (var server = new TcpServer(LOOPBACK, UNUSED, Concurrency.processPerConnection(List.of("sh", "-c", "read x; echo done $x"), 2))) {
            Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket client = new Socket();
                    client.connect(server.serverAddress(), 5_000);
                    client.setSoTimeout(10_000);
                    clients.add(client);
                }
                assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(10), () -> server.activeRequests() == 2)).isTrue();
                assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofMillis(300), () -> server.stats().requestsTotal() > 2)).isFalse();
                clients.get(0).getOutputStream().write("first\n".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(clients.get(0).getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("done first\n");
                assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(10), () -> server.stats().requestsTotal() == 3)).isTrue();
                for (int i = 1; i < 3; i++) {
                    clients.get(i).getOutputStream().write(("c" + i + "\n").getBytes(StandardCharsets.UTF_8));
                    assertThat(new String(clients.get(i).getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("done c" + i + "\n");
                }
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void aFailingChildIsLoggedWithItsStatus() throws Exception {
        try (var capture = new LogCapture();
             var server = new TcpServer(LOOPBACK, UNUSED, Concurrency.processPerConnection(List.of("sh", "-c", "exit 3")))) {
            Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            assertThat(exchange(server, "")).isEmpty();
            assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(10),
                    () -> capture.entries().stream().anyMatch(e -> e.level().equals("WARNING") && e.message().contains("exited with status 3")))).isTrue();
        }
    }

    @Test
    void closeTerminatesChildrenAndLeavesNoZombieOrDescriptor() throws Exception {
        int descriptors = Descriptors.open();
        long pid;
        try (var server = new TcpServer(LOOPBACK, UNUSED, Concurrency.processPerConnection(List.of("sh", "-c", "echo $$; exec sleep 60")));
             Socket client = new Socket()) {
            Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            client.connect(server.serverAddress(), 5_000);
            client.setSoTimeout(10_000);
            pid = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8)).readLine());
            assertThat(Path.of("/proc/" + pid)).exists();
            server.close();
            assertThat(client.getInputStream().read()).isEqualTo(-1);   // SIGTERM ended the child, and with it the socket
        }
        long gone = pid;
        assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(5), () -> !Files.exists(Path.of("/proc/" + gone)))).isTrue();
        assertThat(ResourcesReturnToBaselineTest.awaitValue(Duration.ofSeconds(5), Descriptors::open, descriptors)).isLessThanOrEqualTo(descriptors);
    }

    @Test
    void tlsAndTheProxyProtocolAreRefusedByTheConstructor() throws Exception {
        var perConnection = Concurrency.processPerConnection(List.of("cat"));
        ServerOptions tls = ServerOptions.builder().tls(TlsOptions.of(javax.net.ssl.SSLContext.getDefault())).build();
        ServerOptions proxy = ServerOptions.builder().proxyProtocol(ProxyProtocol.from("127.0.0.0/8")).build();
        int descriptors = Descriptors.baseline();
        for (ServerOptions options : List.of(tls, proxy)) {
            assertThatThrownBy(() -> new TcpServer(LOOPBACK, UNUSED, perConnection, options))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("process per connection");
        }
        assertThat(ResourcesReturnToBaselineTest.awaitValue(Duration.ofSeconds(5), Descriptors::open, descriptors))
                .as("the refused servers' sockets are closed").isLessThanOrEqualTo(descriptors);
    }

    private static String exchange(TcpServer server, String text) throws IOException {
        try (Socket client = new Socket()) {
            client.connect(server.serverAddress(), 5_000);
            client.setSoTimeout(10_000);
            client.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
