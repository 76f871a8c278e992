package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md B8: input cut into pieces, or many requests in one piece. A request and a PROXY
 * header sent a byte per segment, or in random pieces, give the handler exactly what one write
 * gives; a PROXY header followed by EOF runs the handler, which sees EOF at once; a thousand
 * pipelined lines get a thousand answers in order.
 */
@Timeout(30)
class FragmentedAndPipelinedInputTest {
    /** Answers every line with its length and the line, until EOF. */
    private static final ConnectionHandler LINES = conn -> {
        String line;
        while ((line = conn.readLine()) != null) {
            conn.out().write((line.length() + ":" + line + "\n").getBytes(StandardCharsets.UTF_8));
        }
    };

    private static final String TWO_HUNDRED_LINES = IntStream.range(0, 200).mapToObj(i -> "line " + i + " of a long request")
            .collect(Collectors.joining("\n", "", "\n"));

    @Test
    void aRequestSentOneBytePerSegmentOrInRandomPiecesIsReadAsIfSentAtOnce() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), LINES); Serving<?> _ = TestServers.serve(server)) {
            byte[] request = TWO_HUNDRED_LINES.getBytes(StandardCharsets.UTF_8);
            String whole = exchange(server, request, 0);
            assertThat(whole.lines()).hasSize(200).first().isEqualTo("24:line 0 of a long request");
            assertThat(exchange(server, request, 1)).isEqualTo(whole);
            assertThat(exchange(server, request, -7)).isEqualTo(whole);
        }
    }

    @Test
    void proxyHeadersSentOneBytePerSegmentGiveTheSameClient() throws Exception {
        ConnectionHandler describe = conn -> conn.out().write((dev.socketserver.internal.Addresses.format(conn.clientAddress())
                + " " + conn.readLine() + "\n").getBytes(StandardCharsets.UTF_8));
        ServerOptions proxied = ServerOptions.builder().proxyProtocol(ProxyProtocol.from("127.0.0.0/8")).build();
        try (var server = new TcpServer(TestServers.loopback(), describe, Concurrency.virtualThreads(), proxied);
             Serving<?> _ = TestServers.serve(server)) {
            byte[] v1 = concat("PROXY TCP6 2001:db8::1 2001:db8::2 40000 443\r\n".getBytes(StandardCharsets.US_ASCII), "hi\n");
            byte[] v2 = concat(HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "2111000c" + "c0000201" + "0a000001" + "9c40" + "20fb"), "hi\n");
            for (int piece : new int[] {0, 1, -7}) {
                assertThat(exchange(server, v1, piece)).isEqualTo("[2001:db8::1]:40000 hi\n");
                assertThat(exchange(server, v2, piece)).isEqualTo("192.0.2.1:40000 hi\n");
            }
            assertThat(server.stats().proxyRejections()).isZero();
        }
    }

    @Test
    void aProxyHeaderFollowedByEofRunsTheHandlerWhichSeesEofAtOnce() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        try (var server = new TcpServer(TestServers.loopback(), conn -> seen.complete(
                dev.socketserver.internal.Addresses.format(conn.clientAddress()) + " read " + conn.in().read()),
                Concurrency.virtualThreads(), ServerOptions.builder().proxyProtocol(ProxyProtocol.from("127.0.0.0/8")).build());
             Serving<?> _ = TestServers.serve(server)) {
            try (Socket client = new Socket()) {
                client.connect(server.serverAddress(), 5_000);
                client.getOutputStream().write("PROXY TCP4 192.0.2.7 192.0.2.8 1234 80\r\n".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(seen.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("192.0.2.7:1234 read -1");
            }
        }
    }

    @Test
    void aThousandPipelinedRequestsInOneWriteGetAThousandAnswersInOrder() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), LINES); Serving<?> _ = TestServers.serve(server)) {
            String requests = IntStream.range(0, 1000).mapToObj(i -> "request " + i).collect(Collectors.joining("\n", "", "\n"));
            String expected = IntStream.range(0, 1000).mapToObj(i -> ("request " + i).length() + ":request " + i)
                    .collect(Collectors.joining("\n", "", "\n"));
            assertThat(exchange(server, requests.getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(expected);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /**
     * Sends {@code bytes} with TCP_NODELAY, then EOF, and reads the answer to EOF. {@code piece} 0
     * sends one write; n > 0 writes of n bytes; -n random writes of 1 to n bytes (seeded).
     */
    private static String exchange(TcpServer server, byte[] bytes, int piece) throws IOException {
        try (Socket client = new Socket()) {
            client.setTcpNoDelay(true);
            client.connect(server.serverAddress(), 5_000);
            client.setSoTimeout(5_000);
            OutputStream out = client.getOutputStream();
            Random random = new Random(8);
            int at = 0;
            while (at < bytes.length) {
                int n = piece == 0 ? bytes.length : piece > 0 ? piece : 1 + random.nextInt(-piece);
                n = Math.min(n, bytes.length - at);
                out.write(bytes, at, n);
                at += n;
            }
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] concat(byte[] header, String payload) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(header);
        all.writeBytes(payload.getBytes(StandardCharsets.US_ASCII));
        return all.toByteArray();
    }
}
