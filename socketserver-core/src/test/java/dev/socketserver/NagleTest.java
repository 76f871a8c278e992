package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md B7: many tiny writes. A handler that writes each reply in two pieces through the
 * unbuffered {@code wfile()} meets Nagle's algorithm and the client's delayed ACK: about 40 ms per
 * round trip on Linux (200 round trips took 9 s here). With Nagle off, the servers' default (unlike
 * Python's), a thousand round trips take a fraction of a second.
 */
@Timeout(30)
class NagleTest {

    /** Replies to each line in two writes: the line, then the newline; Nagle as the server leaves it. */
    static class TwoPieceEcho extends StreamRequestHandler {
        @Override
        protected void handle() throws Exception {
            OutputStream out = wfile();
            String line;
            while ((line = connection().readLine()) != null) {
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        }
    }

    /** The same, with Nagle turned off by the handler itself, as Python's handlers must. */
    static final class NagleOffTwoPieceEcho extends TwoPieceEcho {
        NagleOffTwoPieceEcho() {
            setDisableNagleAlgorithm(true);
        }
    }

    @Test
    void byDefaultNagleIsOffSoTwoPieceRoundTripsAreQuick() throws Exception {
        assertAThousandRoundTripsAreQuick(TwoPieceEcho::new);
    }

    @Test
    void withNagleDisabledByTheHandlerAThousandTwoPieceRoundTripsAreQuick() throws Exception {
        assertAThousandRoundTripsAreQuick(NagleOffTwoPieceEcho::new);
    }

    private static void assertAThousandRoundTripsAreQuick(Supplier<? extends TwoPieceEcho> handlers) throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), handlers);
             Serving<?> _ = TestServers.serve(server);
             Socket client = new Socket()) {
            client.setTcpNoDelay(true);
            client.connect(server.serverAddress(), 5_000);
            client.setSoTimeout(5_000);
            var in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            byte[] ping = "twenty-byte-message\n".getBytes(StandardCharsets.UTF_8);
            long start = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                client.getOutputStream().write(ping);
                assertThat(in.readLine()).isEqualTo("twenty-byte-message");
            }
            // with Nagle on this takes about 40 s; the bound leaves room for a busy machine
            assertThat(TestServers.since(start)).isLessThan(Duration.ofSeconds(8));
        }
    }
}
