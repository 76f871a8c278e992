package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md B9: {@link Connection#readLine()} keeps one client from filling memory. A line
 * of 10 MiB without a newline fails after at most 64 KiB and one read buffer have been read, and
 * the connection is closed; a line of exactly 64 KiB is accepted; {@code \r\n} split across
 * writes, a bare {@code \r} and NUL bytes behave as documented.
 */
@Timeout(30)
class LongLineTest {
    private static final int LIMIT = 65_536;

    @Test
    void aTenMibLineWithoutNewlineFailsAfterAtMostTheLimitAndAReadBuffer() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        try (var log = new LogCapture();
             var server = new TcpServer(TestServers.loopback(), conn -> {
                 try {
                     conn.readLine();
                     failure.complete(null);
                 } catch (IOException e) {
                     failure.complete(e);
                     throw e;
                 }
             });
             Serving<?> _ = TestServers.serve(server);
             Socket client = new Socket()) {
            client.connect(server.serverAddress(), 5_000);
            client.setSoTimeout(5_000);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'x');
                try {
                    OutputStream out = client.getOutputStream();
                    for (int i = 0; i < 160; i++) {   // 10 MiB
                        out.write(chunk);
                    }
                } catch (IOException closedByTheServer) {
                    // expected: the server stops reading and closes
                }
            });
            assertThat(failure.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(IOException.class)
                    .hasMessageContaining("line longer than 65536 bytes");
            assertThat(server.stats().bytesIn()).isLessThanOrEqualTo(LIMIT + 8192 + 65_536);   // the limit, a buffer, one big read
            sending.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            TestServers.await(DEADLINE, "the connection is closed", () -> server.activeRequests() == 0);
        }
    }

    @Test
    void aLineOfExactlyTheLimitIsAccepted() throws Exception {
        String line = "y".repeat(LIMIT);
        assertThat(linesSeen(line + "\n")).isEqualTo("65536 chars");
    }

    @Test
    void crLfSplitAcrossWritesABareCrAndNulBytesAreKeptAsDocumented() throws Exception {
        assertThat(linesSeen("one\r", "\ntwo\rstill two\n", "nul\0inside\n", "last without newline"))
                .isEqualTo("\"one\" \"two\\rstill two\" \"nul\\0inside\" \"last without newline\"");
    }

    /** Sends the parts as separate writes, then EOF; returns how the handler saw the lines. */
    private static String linesSeen(String... parts) throws Exception {
        ConnectionHandler describe = conn -> {
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = conn.readLine()) != null) {
                if (!seen.isEmpty()) {
                    seen.append(' ');
                }
                seen.append(line.length() > 100 ? line.length() + " chars"
                        : "\"" + line.replace("\r", "\\r").replace("\0", "\\0") + "\"");
            }
            conn.out().write(seen.toString().getBytes(StandardCharsets.UTF_8));
        };
        try (var server = new TcpServer(TestServers.loopback(), describe);
             Serving<?> _ = TestServers.serve(server);
             Socket client = new Socket()) {
            client.setTcpNoDelay(true);
            client.connect(server.serverAddress(), 5_000);
            client.setSoTimeout(5_000);
            for (String part : parts) {
                client.getOutputStream().write(part.getBytes(StandardCharsets.UTF_8));
                client.getOutputStream().flush();
            }
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
