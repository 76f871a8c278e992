package dev.socketserver;

import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md F4 and issue 11, items 2 and 3, in both families (the blocking {@link TcpServer}
 * and the event loop's {@link AsyncServer}): a client-initiated renegotiation (TLS 1.2) is refused,
 * the connection closed promptly, the refusal counted under one key and logged at most once a
 * second, and the server serves on; a TLS 1.3 key update, the post-handshake message TLS 1.3 keeps,
 * is answered and the connection goes on.
 *
 * <p>A JDK client renegotiates when {@link SSLSocket#startHandshake()} is called again on a TLS 1.2
 * connection: it sends a new ClientHello. On TLS 1.3 the same call sends a KeyUpdate that asks the
 * peer to update its keys too.
 */
@Timeout(60)
class TlsRenegotiationTest {
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    @BeforeAll
    static void loadCertificates() throws Exception {
        serverContext = TestCertificates.serverContext();
        clientContext = TestCertificates.clientContext(false);
    }

    /** The two server families, each echoing lines over TLS. */
    enum Family {
        BLOCKING {
            @Override
            TlsEcho start() throws IOException {
                TcpServer server = new TcpServer(TestServers.loopback(), conn -> {
                    String line;
                    while ((line = conn.readLine()) != null) {
                        conn.out().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }, Concurrency.threads(), ServerOptions.builder().tls(TlsOptions.of(serverContext)).build());
                TestServers.Serving<TcpServer> serving = TestServers.serve(server);
                return new TlsEcho() {
                    @Override
                    public InetSocketAddress address() {
                        return (InetSocketAddress) server.serverAddress();
                    }

                    @Override
                    public ServerStats stats() {
                        return server.stats();
                    }

                    @Override
                    public void close() {
                        serving.close();
                    }
                };
            }
        },
        EVENT_LOOP {
            @Override
            TlsEcho start() throws IOException {
                AsyncServer server = AsyncServer.tcp(TestServers.loopback(), Echo::new,
                        ServerOptions.builder().tls(TlsOptions.of(serverContext)).build());
                server.start();
                return new TlsEcho() {
                    @Override
                    public InetSocketAddress address() {
                        return (InetSocketAddress) server.serverAddress();
                    }

                    @Override
                    public ServerStats stats() {
                        return server.stats();
                    }

                    @Override
                    public void close() {
                        server.close();
                    }
                };
            }
        };

        abstract TlsEcho start() throws IOException;
    }

    interface TlsEcho extends AutoCloseable {
        InetSocketAddress address();

        ServerStats stats();

        @Override
        void close();
    }

    /** Echoes every byte. */
    private static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aTls12RenegotiationIsRefusedCountedAndTheServerServesOthers(Family family) throws Exception {
        try (var log = new LogCapture(); TlsEcho server = family.start()) {
            long start = System.nanoTime();
            assertThat(renegotiate(server)).as("the server neither echoes after a renegotiation nor hangs").isNotEqualTo("after");
            assertThat(TestServers.since(start)).isLessThan(Duration.ofSeconds(3));
            TestServers.await(DEADLINE, "the refusal is counted", () -> server.stats().tlsRenegotiationsRefused() == 1);
            TestServers.await(DEADLINE, "the connection is closed", () -> server.stats().activeRequests() == 0);
            try (SSLSocket other = client(server, "TLSv1.2")) {
                assertThat(exchange(other, "another client")).isEqualTo("another client");
            }
            assertThat(server.stats().tlsHandshakeFailures()).as("the first handshake did not fail").isZero();
            assertThat(server.stats().handlerErrors()).as("a refused renegotiation is not a handler error").isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void twentyRefusedRenegotiationsAreCountedAndLoggedAtMostOnceASecond(Family family) throws Exception {
        try (var log = new LogCapture(); TlsEcho server = family.start()) {
            long start = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                assertThat(renegotiate(server)).isNotEqualTo("after");
            }
            TestServers.await(DEADLINE, "every refusal is counted", () -> server.stats().tlsRenegotiationsRefused() == 20);
            TestServers.await(DEADLINE, "every connection is closed", () -> server.stats().activeRequests() == 0);
            long seconds = TestServers.since(start).toSeconds();
            List<LogCapture.Entry> entries = log.entries();
            assertThat(entries).as("no stack traces").allMatch(e -> e.thrown() == null);
            assertThat(log.errorBlocks()).as("no error blocks").isEmpty();
            assertThat(entries).as("one line a second at most").hasSizeLessThanOrEqualTo((int) seconds + 1);
            assertThat(entries).anyMatch(e -> e.message().contains("renegotiation"));
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aTls13KeyUpdateIsAnsweredAndTheConnectionGoesOn(Family family) throws Exception {
        try (TlsEcho server = family.start(); SSLSocket client = client(server, "TLSv1.3")) {
            assertThat(exchange(client, "before")).isEqualTo("before");
            for (int i = 0; i < 3; i++) {
                client.startHandshake();   // on TLS 1.3: a KeyUpdate that asks the server to update too
                assertThat(exchange(client, "after " + i)).isEqualTo("after " + i);
            }
            assertThat(server.stats().tlsRenegotiationsRefused()).isZero();
        }
    }

    /**
     * Exchanges a line over TLS 1.2, renegotiates, and sends another: returns the reply to it, or
     * what ended the connection instead.
     */
    private static String renegotiate(TlsEcho server) throws IOException {
        try (SSLSocket client = client(server, "TLSv1.2")) {
            assertThat(exchange(client, "before")).isEqualTo("before");
            try {
                client.startHandshake();   // a second handshake on TLS 1.2: renegotiation
                return exchange(client, "after");
            } catch (IOException refused) {
                return "refused: " + refused;
            }
        }
    }

    private static String exchange(SSLSocket client, String line) throws IOException {
        client.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        return new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    private static SSLSocket client(TlsEcho server, String protocol) throws IOException {
        InetSocketAddress address = server.address();
        SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        socket.setEnabledProtocols(new String[] {protocol});
        socket.setSoTimeout((int) DEADLINE.toMillis());
        return socket;
    }
}
