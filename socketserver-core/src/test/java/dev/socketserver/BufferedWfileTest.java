package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** §5 row 20 (§3.2): a buffered wfile is flushed by finish(), even when handle() raised. */
@Timeout(30)
class BufferedWfileTest {

    static final class BufferedWriteThenRaise extends StreamRequestHandler {
        BufferedWriteThenRaise() {
            setWriteBufferSize(8192);
        }

        @Override
        protected void handle() throws Exception {
            wfile().write("abc".getBytes(StandardCharsets.UTF_8));
            throw new ReferenceHandlers.HandlerFailure("raised after a buffered write");
        }
    }

    static final class BufferedWrite extends StreamRequestHandler {
        BufferedWrite() {
            setWriteBufferSize(8192);
        }

        @Override
        protected void handle() throws Exception {
            wfile().write("abc".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    @DisplayName("row 20: bytes written to a buffered wfile before handle() raised reach the client, then EOF")
    void bufferedWritesReachTheClientEvenWhenHandleRaises() throws Exception {
        try (var log = new LogCapture();
             var server = new TcpServer(TestServers.loopback(), BufferedWriteThenRaise::new, Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(client.readToEof()).isEqualTo("abc");
            assertThat(log.errorBlocks()).hasSize(1);
        }
    }

    @Test
    @DisplayName("row 20: a buffered wfile needs no flush in handle()")
    void bufferedWritesAreFlushedWithoutAnExplicitFlush() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), BufferedWrite::new, Concurrency.threads());
             Serving<?> _ = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(client.readToEof()).isEqualTo("abc");
        }
    }
}
