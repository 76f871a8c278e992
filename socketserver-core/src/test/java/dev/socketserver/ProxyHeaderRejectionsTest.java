package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * reliability.md G2, G5 and G6 against a TCP server: each malformed header, untrusted peer and
 * late header closes the connection before the handler runs, is counted by reason in
 * {@link ServerStats#proxyRejectionsByReason()}, and is logged at most once a second per reason.
 */
@Timeout(30)
class ProxyHeaderRejectionsTest {
    private static final String V2_SIGNATURE = "0d0a0d0a000d0a515549540a";

    @Test
    void eachMalformedHeaderIsClosedUnservedAndCountedByReason() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        Map<String, byte[]> malformed = new java.util.LinkedHashMap<>();
        malformed.put("not_proxy_protocol", ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        malformed.put("not_proxy_protocol ", ascii("proxy TCP4 192.0.2.1 192.0.2.2 1 2\r\n"));
        malformed.put("bad_family", ascii("PROXY TCP5 192.0.2.1 192.0.2.2 1 2\r\n"));
        malformed.put("malformed_address", ascii("PROXY TCP4 256.0.0.1 192.0.2.2 1 2\r\n"));
        malformed.put("bad_port", ascii("PROXY TCP4 192.0.2.1 192.0.2.2 65536 2\r\n"));
        malformed.put("malformed_line", ascii("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\n"));
        malformed.put("malformed_line ", ascii("PROXY TCP4 192.0.2.1 192.0.2.2 1 2 7\r\n"));
        malformed.put("unsupported_version", HexFormat.of().parseHex(V2_SIGNATURE + "3111000c" + "c0000201c00002020001" + "0002"));
        malformed.put("bad_command", HexFormat.of().parseHex(V2_SIGNATURE + "2211000c" + "c0000201c00002020001" + "0002"));
        malformed.put("bad_tlv", HexFormat.of().parseHex(V2_SIGNATURE + "2111000f" + "c0000201c00002020001" + "0002" + "0100ff"));
        try (var log = new LogCapture(); var server = proxyServer("127.0.0.0/8", conn -> handled.incrementAndGet())) {
            for (byte[] header : malformed.values()) {
                assertThat(exchange(server, header)).isEmpty();
            }
            TestServers.await(DEADLINE, "every rejection is counted", () -> server.stats().proxyRejections() == malformed.size());
            assertThat(handled.get()).isZero();
            assertThat(server.stats().proxyRejectionsByReason()).containsExactly(
                    entry("bad_command", 1L), entry("bad_family", 1L), entry("bad_port", 1L), entry("bad_tlv", 1L),
                    entry("malformed_address", 1L), entry("malformed_line", 2L), entry("not_proxy_protocol", 2L),
                    entry("unsupported_version", 1L));
            assertThat(log.entries()).filteredOn(e -> e.message().contains("bad PROXY header")).hasSize(8);   // one per reason
            assertThat(log.errorBlocks()).isEmpty();
        }
    }

    /** G2: 200 bytes without CRLF are refused after 107, without waiting for more or for the deadline. */
    @Test
    void anOverlongV1LineIsRefusedWithoutWaitingForMore() throws Exception {
        try (var server = proxyServer("127.0.0.0/8", conn -> { })) {
            try (Socket client = connect(server, null)) {
                long start = System.nanoTime();
                client.getOutputStream().write(ascii("PROXY TCP4 " + "1".repeat(189)));   // and the connection stays open
                assertThat(endsWithin(client)).isTrue();
                assertThat(TestServers.since(start)).isLessThan(Duration.ofSeconds(2));   // the header deadline is 5 s
            }
            TestServers.await(DEADLINE, "the rejection is counted", () -> server.stats().proxyRejections() == 1);
            assertThat(server.stats().proxyRejectionsByReason()).containsExactly(entry("too_long", 1L));
        }
    }

    /** G5: trust is by source address; only 127.0.0.2 is trusted, and a valid header from 127.0.0.1 is refused. */
    @Test
    void aValidHeaderFromAnUntrustedSourceIsRefusedAndPlainDataFromATrustedOneToo() throws Exception {
        try (var log = new LogCapture(); var server = proxyServer("127.0.0.2/32", conn ->
                conn.out().write((dev.socketserver.internal.Addresses.format(conn.clientAddress()) + "\n").getBytes(StandardCharsets.UTF_8)))) {
            byte[] header = ascii("PROXY TCP4 192.0.2.1 192.0.2.2 4000 80\r\n");
            assertThat(exchange(server, header, "127.0.0.2")).isEqualTo("192.0.2.1:4000\n");
            assertThat(exchange(server, header, "127.0.0.1")).isEmpty();
            assertThat(exchange(server, ascii("hello without a header\n"), "127.0.0.2")).isEmpty();   // never auto-detected
            TestServers.await(DEADLINE, "both rejections are counted", () -> server.stats().proxyRejections() == 2);
            assertThat(server.stats().proxyRejectionsByReason()).containsExactly(entry("not_proxy_protocol", 1L), entry("untrusted", 1L));
            assertThat(log.entries()).anySatisfy(e -> assertThat(e.message()).contains("closing connection from 127.0.0.1:"));
        }
    }

    /** G6: trusted clients that send nothing, or half a header, are closed at the deadline, and nothing is left behind. */
    @Test
    void silentAndStalledClientsAreClosedAtTheDeadlineAndLeaveNothingBehind() throws Exception {
        int before = Descriptors.baseline();
        try (var server = proxyServer(ProxyProtocol.from("127.0.0.0/8").withHeaderDeadline(Duration.ofMillis(400)), conn -> { })) {
            List<Socket> clients = new ArrayList<>();
            try {
                long start = System.nanoTime();
                for (int i = 0; i < 50; i++) {
                    Socket client = connect(server, null);
                    if (i % 2 == 1) {
                        client.getOutputStream().write(ascii("PROXY TCP4 "));   // and stalls
                    }
                    clients.add(client);
                }
                for (Socket client : clients) {
                    assertThat(endsWithin(client)).isTrue();
                }
                assertThat(TestServers.since(start)).isBetween(Duration.ofMillis(350), Duration.ofSeconds(4));
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
            TestServers.await(DEADLINE, "every rejection is counted", () -> server.stats().proxyRejections() == 50);
            assertThat(server.stats().proxyRejectionsByReason()).containsExactly(entry("timeout", 50L));
            TestServers.await(DEADLINE, "every request ends", () -> server.activeRequests() == 0);
        }
        assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, Descriptors::open, before)).isLessThanOrEqualTo(before);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static TcpServer proxyServer(String trusted, ConnectionHandler handler) throws IOException {
        return proxyServer(ProxyProtocol.from(trusted), handler);
    }

    private static TcpServer proxyServer(ProxyProtocol proxy, ConnectionHandler handler) throws IOException {
        TcpServer server = new TcpServer(new InetSocketAddress("127.0.0.1", 0), handler, Concurrency.virtualThreads(),
                ServerOptions.builder().proxyProtocol(proxy).build());
        Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
        return server;
    }

    private static Socket connect(TcpServer server, String from) throws IOException {
        Socket client = new Socket();
        if (from != null) {
            client.bind(new InetSocketAddress(from, 0));
        }
        client.connect(server.serverAddress(), 5_000);
        client.setSoTimeout(5_000);
        return client;
    }

    private static String exchange(TcpServer server, byte[] bytes) throws IOException {
        return exchange(server, bytes, null);
    }

    /** Sends the bytes from {@code from} (an address to bind, or null) and reads to EOF; a reset reads as nothing. */
    private static String exchange(TcpServer server, byte[] bytes, String from) throws IOException {
        try (Socket client = connect(server, from)) {
            client.getOutputStream().write(bytes);
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketException reset) {
            return "";
        }
    }

    /** Whether the server ends the connection (EOF or reset) within the client's read timeout. */
    private static boolean endsWithin(Socket client) throws IOException {
        try {
            return client.getInputStream().read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
