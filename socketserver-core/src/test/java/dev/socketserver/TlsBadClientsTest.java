package dev.socketserver;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md F1 to F3: clients that do not speak TLS, or speak it too slowly. Each is closed
 * without the handler running, counted as a failed handshake and logged without a stack trace;
 * a client that trickles its ClientHello is closed at the handshake deadline however steadily it
 * sends; and the server serves a real TLS client afterwards with nothing left behind.
 */
@Timeout(30)
class TlsBadClientsTest {
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    @BeforeAll
    static void loadCertificates() throws Exception {
        serverContext = TestCertificates.serverContext();
        clientContext = TestCertificates.clientContext(false);
    }

    /** What a client sends instead of a ClientHello. */
    record Garbage(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Garbage> garbage() {
        byte[] noise = new byte[4096];
        new Random(6).nextBytes(noise);
        noise[0] = 0x16;   // even a first byte that looks like a handshake record
        return Stream.of(
                new Garbage("HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                new Garbage("4 KiB of noise", noise),
                // an SSLv2-style ClientHello: a 2-byte length with the high bit set, type 1, version 3.1
                new Garbage("SSLv2 hello", HexFormat.of().parseHex("801c" + "01" + "0301" + "0003" + "0000" + "0010" + "00002f"
                        + "0102030405060708090a0b0c0d0e0f10")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void garbageInsteadOfAClientHelloIsClosedQuicklyWithoutRunningTheHandler(Garbage garbage) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        try (var log = new LogCapture(); var server = tlsServer(conn -> handled.incrementAndGet())) {
            try (Socket client = connect(server)) {
                long start = System.nanoTime();
                try {
                    client.getOutputStream().write(garbage.bytes());
                    client.getInputStream().readAllBytes();   // an alert perhaps, then EOF
                } catch (SocketException reset) {
                    // closed with our bytes unread
                }
                assertThat(TestServers.since(start)).isLessThan(Duration.ofSeconds(2));
            }
            TestServers.await(DEADLINE, "the failure is counted", () -> server.stats().tlsHandshakeFailures() == 1);
            assertThat(handled.get()).isZero();
            assertThat(log.errorBlocks()).isEmpty();
            assertThat(log.entries()).allSatisfy(e -> assertThat(e.thrown()).isNull());
        }
    }

    /** F2 (b): the 5-byte header of a record, then nothing. */
    @Test
    void aRecordHeaderAndThenSilenceIsClosedAtTheDeadline() throws Exception {
        try (var server = tlsServer(Duration.ofMillis(400), conn -> { })) {
            try (Socket client = connect(server)) {
                long start = System.nanoTime();
                client.getOutputStream().write(HexFormat.of().parseHex("1603010200"));
                assertThat(client.getInputStream().read()).isEqualTo(-1);
                assertThat(TestServers.since(start)).isBetween(Duration.ofMillis(350), Duration.ofSeconds(3));
            }
            TestServers.await(DEADLINE, "the failure is counted", () -> server.stats().tlsHandshakeFailures() == 1);
        }
    }

    /**
     * F3 and slowloris: a record header claiming 16 KiB, then a byte every 50 ms. Every read
     * returns well within the deadline, but the handshake as a whole must not outlive it.
     */
    @Test
    void aClientHelloTrickledAByteAtATimeIsClosedAtTheDeadline() throws Exception {
        try (var server = tlsServer(Duration.ofMillis(500), conn -> { })) {
            try (Socket client = connect(server)) {
                long start = System.nanoTime();
                CompletableFuture<Long> closedAt = CompletableFuture.supplyAsync(() -> {
                    try {
                        client.getInputStream().read();   // EOF, or an alert and then EOF
                    } catch (IOException reset) {
                        // closed by a reset: closed all the same
                    }
                    return System.nanoTime();
                });
                OutputStream out = client.getOutputStream();
                try {
                    out.write(HexFormat.of().parseHex("1603014000"));
                    while (!closedAt.isDone() && TestServers.since(start).compareTo(Duration.ofSeconds(6)) < 0) {
                        out.write(0x01);
                        ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofMillis(50), closedAt::isDone);   // the trickle's pace
                    }
                } catch (SocketException reset) {
                    // the server closed first
                }
                long closed = closedAt.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(Duration.ofNanos(closed - start)).as("time until the server closed").isBetween(Duration.ofMillis(450), Duration.ofSeconds(3));
            }
            TestServers.await(DEADLINE, "the failure is counted", () -> server.stats().tlsHandshakeFailures() == 1);
        }
    }

    /** After a good handshake, the client's TCP connection ends without close_notify: the handler's read ends, nothing hangs. */
    @Test
    void aConnectionCutWithoutCloseNotifyEndsTheHandlersRead() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        try (var log = new LogCapture(); var server = tlsServer(conn -> {
            conn.out().write((conn.readLine() + "\n").getBytes(StandardCharsets.UTF_8));
            try {
                byte[] all = conn.in().readAllBytes();
                seen.complete("EOF after " + all.length + " bytes");
            } catch (IOException e) {
                seen.complete("failed: " + e.getMessage());
                throw e;
            }
        })) {
            var address = (InetSocketAddress) server.serverAddress();
            Socket raw = new Socket(address.getAddress(), address.getPort());
            SSLSocket client = (SSLSocket) clientContext.getSocketFactory().createSocket(raw, "localhost", address.getPort(), false);
            client.setSoTimeout(5_000);
            client.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
            assertThat(client.getInputStream().readNBytes(6)).asString(StandardCharsets.UTF_8).isEqualTo("hello\n");   // the handshake is over
            client.getOutputStream().write("partial".getBytes(StandardCharsets.UTF_8));
            client.getOutputStream().flush();
            raw.setSoLinger(true, 0);
            raw.close();   // the TCP connection ends; no close_notify is sent
            TestServers.await(DEADLINE, "the handler's read ends; log: " + log.entries(), seen::isDone);
            assertThat(seen.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isIn("EOF after 7 bytes", "failed: Connection reset");
            TestServers.await(DEADLINE, "the request ends", () -> server.activeRequests() == 0);
            assertThat(log.errorBlocks()).isEmpty();
        }
    }

    /** F1: two hundred garbage clients, then a real one; descriptors back to where they were. */
    @Test
    void twoHundredGarbageClientsLeaveNothingBehindAndARealClientIsServed() throws Exception {
        int before = Descriptors.baseline();
        AtomicInteger handled = new AtomicInteger();
        try (var log = new LogCapture(); var server = tlsServer(conn -> {
            handled.incrementAndGet();
            conn.out().write((conn.readLine() + "\n").getBytes(StandardCharsets.UTF_8));
        })) {
            byte[] http = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 200; i++) {
                try (Socket client = connect(server)) {
                    client.getOutputStream().write(http);
                    client.getInputStream().readAllBytes();
                } catch (SocketException reset) {
                    // closed with our bytes unread
                }
            }
            TestServers.await(DEADLINE, "every failure is counted", () -> server.stats().tlsHandshakeFailures() == 200);
            var address = (InetSocketAddress) server.serverAddress();
            try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory().createSocket(address.getAddress(), address.getPort())) {
                client.setSoTimeout(5_000);
                client.getOutputStream().write("real\n".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("real\n");
            }
            assertThat(handled.get()).isEqualTo(1);
            assertThat(log.errorBlocks()).isEmpty();
            assertThat(log.entries().size()).as("log lines for 200 failures within seconds").isLessThanOrEqualTo(10);
            TestServers.await(DEADLINE, "every request ends", () -> server.activeRequests() == 0);
        }
        assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, Descriptors::open, before)).isLessThanOrEqualTo(before);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static TcpServer tlsServer(ConnectionHandler handler) throws IOException {
        return tlsServer(TlsOptions.DEFAULT_HANDSHAKE_DEADLINE, handler);
    }

    private static TcpServer tlsServer(Duration handshakeDeadline, ConnectionHandler handler) throws IOException {
        TlsOptions tls = TlsOptions.of(serverContext).withHandshakeDeadline(handshakeDeadline);
        TcpServer server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), handler, Concurrency.virtualThreads(),
                ServerOptions.builder().tls(tls).build());
        Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
        return server;
    }

    private static Socket connect(TcpServer server) throws IOException {
        Socket client = new Socket();
        client.connect(server.serverAddress(), 5_000);
        client.setSoTimeout(5_000);
        return client;
    }
}
