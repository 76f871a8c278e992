package dev.socketserver;

import dev.socketserver.internal.ChannelConnection;
import dev.socketserver.internal.ServerCounters;
import dev.socketserver.internal.TlsConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS on stream servers: TCP and Unix, what handlers see, the handshake deadline, bad clients, mutual TLS. */
@Timeout(30)
class TlsTest {
    private static Path dir;
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    /** Answers with what it saw of the session, then echoes one line. */
    static final ConnectionHandler DESCRIBE = conn -> {
        var session = conn.tlsSession().orElseThrow();
        String sni = session instanceof ExtendedSSLSession e && !e.getRequestedServerNames().isEmpty()
                ? ((SNIHostName) e.getRequestedServerNames().getFirst()).getAsciiName() : "-";
        String peer;
        try {
            peer = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            peer = "-";
        }
        conn.out().write((session.getProtocol() + " " + sni + " " + peer + "\n").getBytes(StandardCharsets.UTF_8));
        conn.out().write((conn.readLine() + "\n").getBytes(StandardCharsets.UTF_8));
    };

    @BeforeAll
    static void loadCertificates() throws Exception {
        dir = TestCertificates.directory();
        serverContext = TestCertificates.serverContext();
        clientContext = TestCertificates.clientContext(false);
    }

    @Test
    void tcpServesTlsAndHandlersSeeTheSession() throws Exception {
        try (var server = tcpServer(serverContext, DESCRIBE)) {
            try (SSLSocket client = tlsClient(server, clientContext, "localhost")) {
                client.getOutputStream().write("hello over tls\n".getBytes(StandardCharsets.UTF_8));
                List<String> lines = readLines(client.getInputStream());
                assertThat(lines.get(0)).matches("TLSv1\\.[23] localhost -");
                assertThat(lines.get(1)).isEqualTo("hello over tls");
            }
        }
    }

    @Test
    void alpnChoosesTheServersPreferredProtocolAndTheHandlerSeesIt() throws Exception {
        ConnectionHandler alpn = conn -> conn.out().write((conn.tlsApplicationProtocol().orElse("none") + "\n").getBytes(StandardCharsets.UTF_8));
        try (var server = tcpServer(TlsOptions.of(serverContext).withApplicationProtocols("h2", "http/1.1"), alpn)) {
            try (SSLSocket client = tlsClient(server, clientContext, "localhost")) {
                SSLParameters parameters = client.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {"http/1.1", "h2"});
                client.setSSLParameters(parameters);
                assertThat(readLines(client.getInputStream())).containsExactly("h2");
                assertThat(client.getApplicationProtocol()).isEqualTo("h2");
            }
            try (SSLSocket client = tlsClient(server, clientContext, "localhost")) {
                SSLParameters parameters = client.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {"smtp"});
                client.setSSLParameters(parameters);
                assertThatThrownBy(client::startHandshake).isInstanceOf(javax.net.ssl.SSLException.class);
            }
            try (SSLSocket client = tlsClient(server, clientContext, "localhost")) {   // offers no ALPN at all
                assertThat(readLines(client.getInputStream())).containsExactly("none");
            }
        }
    }

    @Test
    void unixStreamServesTlsToo() throws Exception {
        Path socketDir = Files.createTempDirectory(Path.of("/tmp"), "tls");
        Path path = socketDir.resolve("tls.sock");
        try (var server = new UnixStreamServer(path, DESCRIBE, Concurrency.virtualThreads(),
                ServerOptions.builder().tls(TlsOptions.of(serverContext)).build())) {
            Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
            try (TlsConnection client = TlsConnection.connect(ChannelConnection.accepted(channel, new ServerCounters()),
                    clientContext, "localhost", Duration.ofSeconds(5))) {
                client.setReadTimeout(Duration.ofSeconds(5));
                client.out().write("over unix\n".getBytes(StandardCharsets.UTF_8));
                assertThat(client.readLine()).matches("TLSv1\\.[23] - -");
                assertThat(client.readLine()).isEqualTo("over unix");
            }
        } finally {
            Files.deleteIfExists(path);
            Files.delete(socketDir);
        }
    }

    @Test
    void aClientThatNeverHandshakesIsClosedAtTheDeadlineAndTheServerServesOn() throws Exception {
        try (var capture = new LogCapture();
             var server = tcpServer(TlsOptions.of(serverContext).withHandshakeDeadline(Duration.ofMillis(300)), DESCRIBE)) {
            try (Socket silent = new Socket()) {
                silent.connect(server.serverAddress(), 5_000);
                silent.setSoTimeout(5_000);
                long start = System.nanoTime();
                assertThat(silent.getInputStream().read()).isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            }
            try (SSLSocket client = tlsClient(server, clientContext, "localhost")) {
                client.getOutputStream().write("next\n".getBytes(StandardCharsets.UTF_8));
                assertThat(readLines(client.getInputStream())).last().isEqualTo("next");
            }
            assertThat(server.stats().tlsHandshakeFailures()).isEqualTo(1);
            assertThat(capture.errorBlocks()).isEmpty();
        }
    }

    @Test
    void plaintextToATlsServerIsAHandshakeFailureNotAnError() throws Exception {
        try (var capture = new LogCapture(); var server = tcpServer(serverContext, DESCRIBE)) {
            try (Socket plain = new Socket()) {
                plain.connect(server.serverAddress(), 5_000);
                plain.setSoTimeout(5_000);
                plain.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                plain.getInputStream().readAllBytes();   // whatever alert comes, then EOF
            }
            assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(5), () -> server.stats().tlsHandshakeFailures() == 1)).isTrue();
            assertThat(capture.errorBlocks()).isEmpty();
            assertThat(capture.entries()).anySatisfy(e -> assertThat(e.message()).contains("TLS handshake with 127.0.0.1:"));
        }
    }

    @Test
    void mutualTlsShowsTheClientCertificateAndRefusesClientsWithout() throws Exception {
        SSLContext mutual = TestCertificates.mutualServerContext();
        try (var server = tcpServer(TlsOptions.of(mutual).withClientAuth(), DESCRIBE)) {
            try (SSLSocket client = tlsClient(server, TestCertificates.clientContext(true), "localhost")) {
                client.getOutputStream().write("with cert\n".getBytes(StandardCharsets.UTF_8));
                assertThat(readLines(client.getInputStream()).getFirst()).endsWith(" CN=test client");
            }
            List<String> served;
            try (SSLSocket client = tlsClient(server, clientContext, "localhost")) {
                client.getOutputStream().write("no cert\n".getBytes(StandardCharsets.UTF_8));
                served = readLines(client.getInputStream());
            } catch (IOException refused) {
                served = List.of();   // TLS 1.2 fails the handshake; TLS 1.3 fails the first read
            }
            assertThat(served).isEmpty();
            assertThat(ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(5), () -> server.stats().tlsHandshakeFailures() == 1)).isTrue();
        }
    }

    @Test
    void keysInTheWrongFormatGetAnErrorThatSaysHowToConvertThem() throws Exception {
        Path pkcs1 = Files.createTempFile("key", ".pem");
        try {
            Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
            assertThatThrownBy(() -> Tls.fromPem(dir.resolve("server-cert.pem"), pkcs1))
                    .isInstanceOf(IOException.class).hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        } finally {
            Files.delete(pkcs1);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** A TLS TCP server on loopback, serving in the background; closing it stops everything. */
    private static TcpServer tcpServer(SSLContext context, ConnectionHandler handler) throws IOException {
        return tcpServer(TlsOptions.of(context), handler);
    }

    /** A TCP server on loopback with {@code tls}, serving in the background; closing it stops everything. */
    private static TcpServer tcpServer(TlsOptions tls, ConnectionHandler handler) throws IOException {
        TcpServer server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), handler, Concurrency.virtualThreads(),
                ServerOptions.builder().tls(tls).build());
        Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
        return server;
    }

    private static SSLSocket tlsClient(TcpServer server, SSLContext context, String sni) throws IOException {
        var address = (InetSocketAddress) server.serverAddress();
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(sni)));
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static List<String> readLines(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
}
