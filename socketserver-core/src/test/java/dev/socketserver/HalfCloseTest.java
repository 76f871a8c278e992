package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md B3: half-close in both directions. A client's EOF is the end of its request, not
 * an abort: the reply that follows arrives whole. A handler that shuts its output down can still
 * read everything the client sends afterwards.
 */
@Timeout(30)
class HalfCloseTest {
    private static final int HUNDRED_KIB = 100 * 1024;
    private static final int ONE_MIB = 1024 * 1024;

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    /** B3 (a): the client sends 100 KiB and EOF; the handler reads to EOF, then answers with 1 MiB. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"TCP", "UNIX"})
    void afterTheClientsEofTheWholeReplyArrives(Transport transport) throws Exception {
        byte[] reply = randomBytes(ONE_MIB, 1);
        ConnectionHandler readAllThenReply = conn -> {
            long received = conn.in().transferTo(java.io.OutputStream.nullOutputStream());
            if (received != HUNDRED_KIB) {
                throw new IllegalStateException("received " + received + " bytes");
            }
            conn.out().write(reply);
        };
        try (var server = server(transport, readAllThenReply); Serving<?> _ = TestServers.serve(server);
             SocketChannel client = SocketChannel.open(server.serverAddress())) {
            writeFully(client, randomBytes(HUNDRED_KIB, 2));
            client.shutdownOutput();
            byte[] got = readWithin(client);
            assertThat(got).hasSize(ONE_MIB);
            assertThat(crc(got)).isEqualTo(crc(reply));
        }
    }

    /** B3 (b): the handler greets and shuts its output down, then reads the 1 MiB the client sends after EOF. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"TCP", "UNIX"})
    void afterTheHandlersEofItStillReadsEverything(Transport transport) throws Exception {
        byte[] upload = randomBytes(ONE_MIB, 3);
        CompletableFuture<Long> receivedCrc = new CompletableFuture<>();
        ConnectionHandler greetThenRead = conn -> {
            conn.out().write("greeting\n".getBytes(StandardCharsets.UTF_8));
            conn.shutdownOutput();
            receivedCrc.complete(crc(conn.in().readAllBytes()));
        };
        try (var server = server(transport, greetThenRead); Serving<?> _ = TestServers.serve(server)) {
            try (SocketChannel client = SocketChannel.open(server.serverAddress())) {
                assertThat(new String(readWithin(client), StandardCharsets.UTF_8)).isEqualTo("greeting\n");
                writeFully(client, upload);
            }
            assertThat(receivedCrc.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(crc(upload));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private StreamServer server(Transport transport, ConnectionHandler handler) throws IOException {
        return transport == Transport.TCP
                ? new TcpServer(TestServers.loopback(), handler)
                : new UnixStreamServer(dir.resolve("h.sock"), handler);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    static void writeFully(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Everything up to EOF; a read that hangs past the deadline fails the test (blocking channel reads are interruptible). */
    static byte[] readWithin(SocketChannel channel) throws Exception {
        CompletableFuture<byte[]> all = CompletableFuture.supplyAsync(() -> {
            try {
                InputStream in = Channels.newInputStream(channel);   // not closed: closing it would close the channel
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return all.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }
}
