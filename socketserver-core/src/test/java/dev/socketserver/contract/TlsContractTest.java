package dev.socketserver.contract;

import dev.socketserver.LogCapture;
import dev.socketserver.ProxyProtocol;
import dev.socketserver.ServerOptions;
import dev.socketserver.TestCertificates;
import dev.socketserver.TlsOptions;
import dev.socketserver.contract.Family.Handler;
import dev.socketserver.contract.Family.Seen;
import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.Loggers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static dev.socketserver.contract.Clients.ascii;
import static dev.socketserver.contract.Clients.readLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS on a TCP server, the same in both families: the handler (blocking) or the protocol (event
 * loop) sees the session (protocol, SNI name, the client's certificate under mutual TLS), the ALPN
 * choice and the client; TLS 1.2 works too; a client that sends plaintext, never handshakes or
 * stalls halfway, or brings no certificate to a server that asks for one, is closed before the
 * handler runs, counted in {@code tlsHandshakeFailures} (and in {@code timeouts} when the handshake
 * deadline passed), logged on {@code dev.socketserver.tls} without an error block, and the server
 * serves on; behind a PROXY header the handler sees the real client.
 */
@Timeout(60)
class TlsContractTest {
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    @BeforeAll
    static void loadCertificates() throws Exception {
        serverContext = TestCertificates.serverContext();
        clientContext = TestCertificates.clientContext(false);
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void echoesOverTlsAndTheHandlerSeesTheSessionAndTheClient(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO, tls(TlsOptions.of(serverContext)))) {
            server.start();
            int clientPort;
            try (SSLSocket client = Clients.tls(server.address(), clientContext, "localhost")) {
                client.getOutputStream().write(ascii("hello over tls\n"));
                assertThat(readLine(client.getInputStream())).isEqualTo("hello over tls");
                clientPort = client.getLocalPort();
            }
            assertThat(server.seen()).singleElement().satisfies(seen -> {
                assertThat(seen.tlsProtocol()).contains("TLSv1.3");
                assertThat(seen.sni()).contains("localhost");
                assertThat(seen.clientCertificate()).isEmpty();
                assertThat(seen.alpn()).isEmpty();
                assertThat(Addresses.format(seen.client())).isEqualTo("127.0.0.1:" + clientPort);
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void alpnChoosesTheServersPreferredProtocolAndTheHandlerSeesIt(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO, tls(TlsOptions.of(serverContext).withApplicationProtocols("h2", "http/1.1")))) {
            server.start();
            try (SSLSocket client = Clients.tls(server.address(), clientContext, "localhost", "http/1.1", "h2")) {
                assertThat(echoLine(client, "both")).isEqualTo("both");
                assertThat(client.getApplicationProtocol()).as("the server's preference, not the client's").isEqualTo("h2");
            }
            try (SSLSocket client = Clients.tls(server.address(), clientContext, "localhost", "http/1.1")) {
                assertThat(echoLine(client, "one")).isEqualTo("one");
                assertThat(client.getApplicationProtocol()).isEqualTo("http/1.1");
            }
            try (SSLSocket client = Clients.tls(server.address(), clientContext, "localhost", "smtp")) {
                assertThatThrownBy(client::startHandshake).as("nothing in common").isInstanceOf(SSLException.class);
            }
            try (SSLSocket client = Clients.tls(server.address(), clientContext, "localhost")) {   // offers no ALPN at all
                assertThat(echoLine(client, "none")).isEqualTo("none");
            }
            assertThat(server.seen()).extracting(Seen::alpn)
                    .containsExactly(Optional.of("h2"), Optional.of("http/1.1"), Optional.empty());
            Clients.await("the failed negotiation is counted", () -> server.stats().tlsHandshakeFailures() == 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void tls12WorksAndAMegabyteEchoesIntact(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO, tls(TlsOptions.of(serverContext)))) {
            server.start();
            try (SSLSocket client = Clients.tls(server.address(), clientContext, "localhost")) {
                client.setEnabledProtocols(new String[] {"TLSv1.2"});
                byte[] payload = new byte[1_000_000];
                for (int i = 0; i < payload.length; i++) {
                    payload[i] = (byte) (i * 31);
                }
                AtomicReference<IOException> writeFailure = new AtomicReference<>();
                Thread writer = Thread.ofPlatform().start(() -> {
                    try {
                        client.getOutputStream().write(payload);
                    } catch (IOException e) {
                        writeFailure.set(e);
                    }
                });
                byte[] echoed = client.getInputStream().readNBytes(payload.length);
                assertThat(writer.join(Clients.DEADLINE)).as("the writer ended").isTrue();
                assertThat(writeFailure.get()).isNull();
                assertThat(echoed).isEqualTo(payload);
            }
            assertThat(server.seen()).singleElement().satisfies(seen -> {
                assertThat(seen.tlsProtocol()).contains("TLSv1.2");
                assertThat(seen.sni()).contains("localhost");
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void plaintextToATlsServerIsAHandshakeFailureNotAnError(Family family) throws Exception {
        try (var log = new LogCapture(); var server = family.tcp(Handler.ECHO, tls(TlsOptions.of(serverContext)))) {
            server.start();
            int clientPort;
            try (Socket plain = Clients.connect(server.address(), null)) {
                clientPort = plain.getLocalPort();
                plain.getOutputStream().write(ascii("GET / HTTP/1.0\r\n\r\n"));
                readToEnd(plain.getInputStream());   // whatever alert comes, then EOF
            }
            Clients.await("the handshake failure is counted", () -> server.stats().tlsHandshakeFailures() == 1);
            Clients.await("the connection is closed", () -> server.activeRequests() == 0);
            assertThat(server.handled()).isZero();
            assertThat(server.stats().timeouts()).isZero();
            assertThat(log.errorBlocks()).isEmpty();
            assertThat(log.entries()).filteredOn(e -> e.logger().equals(Loggers.TLS)).singleElement().satisfies(e -> {
                assertThat(e.level()).isEqualTo("WARNING");
                assertThat(e.message()).startsWith("TLS handshake with 127.0.0.1:" + clientPort + " failed: ");
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void clientsThatNeverHandshakeOrStallHalfwayAreClosedAtTheDeadlineAndTheServerServesOn(Family family) throws Exception {
        try (var log = new LogCapture();
             var server = family.tcp(Handler.ECHO, tls(TlsOptions.of(serverContext).withHandshakeDeadline(Duration.ofMillis(300))))) {
            server.start();
            try (Socket silent = Clients.connect(server.address(), null); Socket halfway = Clients.connect(server.address(), null)) {
                halfway.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});   // a record header and one byte of 512
                long start = System.nanoTime();
                assertThat(Clients.endedByServer(silent)).isTrue();
                assertThat(Clients.endedByServer(halfway)).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
            }
            try (SSLSocket client = Clients.tls(server.address(), clientContext, "localhost")) {
                assertThat(echoLine(client, "next")).isEqualTo("next");
            }
            Clients.await("both failures are counted", () -> server.stats().tlsHandshakeFailures() == 2);
            Clients.await("both as timeouts", () -> server.stats().timeouts() == 2);
            assertThat(server.handled()).isEqualTo(1);
            assertThat(log.errorBlocks()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void mutualTlsShowsTheClientCertificateAndRefusesClientsWithout(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO, tls(TlsOptions.of(TestCertificates.mutualServerContext()).withClientAuth()))) {
            server.start();
            try (SSLSocket client = Clients.tls(server.address(), TestCertificates.clientContext(true), "localhost")) {
                assertThat(echoLine(client, "with cert")).isEqualTo("with cert");
            }
            String served;
            try (SSLSocket client = Clients.tls(server.address(), clientContext, "localhost")) {
                served = echoLine(client, "no cert");
            } catch (IOException refused) {
                served = null;   // TLS 1.2 fails the handshake; TLS 1.3 fails the first read
            }
            assertThat(served).isNull();
            Clients.await("the refused handshake is counted", () -> server.stats().tlsHandshakeFailures() == 1);
            assertThat(server.seen()).singleElement()
                    .satisfies(seen -> assertThat(seen.clientCertificate()).contains("CN=test client"));
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void tlsBehindAProxyHeaderSeesTheRealClient(Family family) throws Exception {
        ServerOptions options = ServerOptions.builder()
                .tls(TlsOptions.of(serverContext))
                .proxyProtocol(ProxyProtocol.from("127.0.0.0/8"))
                .build();
        try (var server = family.tcp(Handler.ECHO, options)) {
            server.start();
            var address = (InetSocketAddress) server.address();
            try (Socket raw = Clients.connect(address, null)) {
                raw.getOutputStream().write(ascii("PROXY TCP4 203.0.113.7 127.0.0.1 40000 443\r\n"));
                try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory().createSocket(raw, "localhost", address.getPort(), true)) {
                    assertThat(echoLine(client, "proxied")).isEqualTo("proxied");
                }
            }
            assertThat(server.seen()).singleElement().satisfies(seen -> {
                assertThat(Addresses.format(seen.client())).isEqualTo("203.0.113.7:40000");
                assertThat(seen.tlsProtocol()).isPresent();
                assertThat(seen.proxy()).hasValueSatisfying(info -> assertThat(Addresses.format(info.destination())).isEqualTo("127.0.0.1:443"));
            });
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static ServerOptions tls(TlsOptions tls) {
        return ServerOptions.builder().tls(tls).build();
    }

    /** Sends {@code line} and a newline, and reads the echoed line. */
    private static String echoLine(SSLSocket client, String line) throws IOException {
        client.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        return readLine(client.getInputStream());
    }

    /** Reads until EOF, or a reset. */
    private static void readToEnd(InputStream in) throws IOException {
        try {
            in.readAllBytes();
        } catch (SocketException reset) {
            // the server may close with the client's bytes unread
        }
    }
}
