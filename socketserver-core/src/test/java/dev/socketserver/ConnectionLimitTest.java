package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * maxConnections: at the cap the server stops accepting (the backlog holds the rest, nobody is
 * accepted and dropped), a freed slot lets the next one in, and the cap can change while serving.
 */
@Timeout(30)
class ConnectionLimitTest {

    @Test
    void atTheCapFurtherClientsWaitInTheBacklogAndGetInAsSlotsFree() throws Exception {
        try (var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                conn -> conn.in().transferTo(OutputStream.nullOutputStream()))) {
            server.setMaxConnections(3);
            Thread serving = Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    Socket client = new Socket();
                    client.connect(server.serverAddress(), 5_000);   // the kernel completes the handshake for all five
                    clients.add(client);
                }
                assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(5), () -> server.activeRequests() == 3)).isTrue();
                // nothing past the cap is accepted, however long we look
                assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofMillis(300), () -> server.stats().requestsTotal() > 3)).isFalse();
                assertThat(clients.get(3).isClosed()).isFalse();

                clients.get(0).close();
                assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(5), () -> server.stats().requestsTotal() == 4)).isTrue();
                assertThat(server.activeRequests()).isEqualTo(3);

                server.setMaxConnections(0);   // lifted at run time
                assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(5), () -> server.activeRequests() == 4)).isTrue();
                assertThat(server.stats().requestsTotal()).isEqualTo(5);
                assertThat(server.stats().requestsRefused()).isZero();
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
            server.shutdown();
            serving.join(5_000);
        }
    }

    @Test
    void statsCountRequestsBytesAndErrors() throws Exception {
        try (var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), conn -> {
            String line = conn.readLine();
            if (line.equals("fail")) {
                throw new IllegalStateException("asked to fail");
            }
            conn.out().write((line + "!\n").getBytes(StandardCharsets.UTF_8));
        }, Concurrency.synchronous())) {
            Thread serving = Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            try (var capture = new LogCapture()) {
                for (String line : List.of("hello", "fail")) {
                    try (Socket client = new Socket()) {
                        client.connect(server.serverAddress(), 5_000);
                        client.setSoTimeout(5_000);
                        client.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                        client.getInputStream().readAllBytes();
                    }
                }
                assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(5), () -> server.stats().handlerErrors() == 1)).isTrue();
            }
            ServerStats stats = server.stats();
            assertThat(stats.requestsTotal()).isEqualTo(2);
            assertThat(stats.bytesIn()).isEqualTo("hello\n".length() + "fail\n".length());
            assertThat(stats.bytesOut()).isEqualTo("hello!\n".length());
            assertThat(stats.activeRequests()).isZero();
            server.shutdown();
            serving.join(5_000);
        }
    }
}
