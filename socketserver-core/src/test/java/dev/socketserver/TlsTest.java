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
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS on a blocking Unix stream server, and keys in the wrong format. What TLS on a TCP server
 * does (what handlers see, ALPN, the handshake deadline, plaintext and other bad clients, mutual
 * TLS) is the contract suite's ({@code contract.TlsContractTest}), run against both families.
 */
@Timeout(30)
class TlsTest {
    private static Path dir;
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    /** Answers with what it saw of the session (protocol, SNI name, client certificate), then echoes one line. */
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
}
