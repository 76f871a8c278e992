package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md B1 and B2: clients that reset their connection. A reset while the handler writes
 * a long reply fails the write promptly and is logged as a client that went away, not as the
 * server's error; a hundred clients that reset while waiting in the backlog leave nothing behind
 * and the next client is served.
 */
@Timeout(30)
class ClientResetTest {
    private static final int FIFTY_MIB = 50 << 20;

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    /** B2 (EPIPE): a reset (TCP) or a close (Unix) while the handler streams 50 MiB. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"TCP", "UNIX"})
    void aClientThatGoesAwayWhileTheHandlerWritesFailsTheWriteQuietly(Transport transport) throws Exception {
        CompletableFuture<Long> writeFailedAt = new CompletableFuture<>();
        ConnectionHandler streamFiftyMib = conn -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                for (int sent = 0; sent < FIFTY_MIB; sent += chunk.length) {
                    conn.out().write(chunk);
                }
                writeFailedAt.completeExceptionally(new AssertionError("all 50 MiB were written to a client that went away"));
            } catch (IOException e) {
                writeFailedAt.complete(System.nanoTime());
                throw e;
            }
        };
        StreamServer server = transport == Transport.TCP
                ? new TcpServer(TestServers.loopback(), streamFiftyMib)
                : new UnixStreamServer(dir.resolve("w.sock"), streamFiftyMib);
        try (var log = new LogCapture(); Serving<?> _ = TestServers.serve(server)) {
            long wentAway;
            if (transport == Transport.TCP) {
                try (Socket client = new Socket()) {
                    client.connect(server.serverAddress(), 5_000);
                    client.setSoTimeout(5_000);
                    assertThat(client.getInputStream().readNBytes(1024)).hasSize(1024);
                    client.setSoLinger(true, 0);   // close() sends a reset
                    wentAway = System.nanoTime();
                }
            } else {
                try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(((UnixStreamServer) server).path()))) {
                    ByteBuffer kib = ByteBuffer.allocate(1024);
                    while (kib.hasRemaining()) {
                        assertThat(client.read(kib)).isNotNegative();
                    }
                    wentAway = System.nanoTime();
                }
            }
            long failedAt = writeFailedAt.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(Duration.ofNanos(failedAt - wentAway)).as("from the reset to the failed write").isLessThan(Duration.ofSeconds(1));
            TestServers.await(DEADLINE, "the request ends", () -> server.activeRequests() == 0 && server.stats().handlerErrors() == 1);
            assertThat(log.errorBlocks()).as("a client that went away is not the server's error").isEmpty();
            assertThat(log.entries()).noneMatch(e -> e.level().equals("SEVERE") || e.level().equals("WARNING"));
        }
    }

    /** B1 (a): accept is paused by the connection limit while a hundred clients connect and reset. */
    @Test
    void clientsThatResetInTheBacklogLeaveNothingBehindAndTheNextIsServed() throws Exception {
        int before = Descriptors.baseline();
        try (var log = new LogCapture();
             var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream());
             Serving<?> _ = TestServers.serve(server)) {
            server.setMaxConnections(1);
            try (var holder = StreamClient.connect(server.serverAddress())) {   // takes the only slot: accept pauses
                TestServers.await(DEADLINE, "the holder is served", () -> server.activeRequests() == 1);
                List<Socket> resetting = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    Socket client = new Socket();
                    client.connect(server.serverAddress(), 5_000);
                    client.setSoLinger(true, 0);
                    resetting.add(client);
                }
                for (Socket client : resetting) {
                    client.close();   // a reset, while the connection waits in the backlog
                }
                holder.send("done\n");
                assertThat(holder.readLine()).isEqualTo("done");
            }
            // accept resumes: whatever of the hundred it still finds ends at once
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "next\n")).isEqualTo("next\n");
            TestServers.await(DEADLINE, "every request ends", () -> server.activeRequests() == 0);
            assertThat(log.errorBlocks()).isEmpty();
            assertThat(log.entries()).noneMatch(e -> e.level().equals("SEVERE"));
        }
        assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, Descriptors::open, before)).isLessThanOrEqualTo(before);
    }

    /** B1 (b): a partial line, then a reset; the handler's read fails or ends, and nothing is logged as an error. */
    @Test
    void aResetMidLineEndsTheRequestWithoutAnErrorBlock() throws Exception {
        try (var log = new LogCapture();
             var server = new TcpServer(TestServers.loopback(), conn -> {
                 String line = conn.readLine();   // "hello wor" then EOF, or a reset
                 conn.out().write((line + "\n").getBytes(StandardCharsets.UTF_8));
             });
             Serving<?> _ = TestServers.serve(server)) {
            try (Socket client = new Socket()) {
                client.connect(server.serverAddress(), 5_000);
                client.getOutputStream().write("hello wor".getBytes(StandardCharsets.UTF_8));
                TestServers.await(DEADLINE, "the request runs", () -> server.activeRequests() == 1);
                client.setSoLinger(true, 0);
            }
            TestServers.await(DEADLINE, "the request ends", () -> server.activeRequests() == 0);
            assertThat(log.errorBlocks()).isEmpty();
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "next\n")).isEqualTo("next\n");
        }
    }
}
