package dev.socketserver.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A TLS test server with the kit's certificate, and client contexts that trust it, or a PEM file, and nothing else. */
@Timeout(30)
class TlsTest {
    @RegisterExtension
    static final TestServer server = TestServer.tcp(conn -> conn.out().write(
            conn.tlsSession().map(s -> s.getProtocol()).orElse("plain").getBytes(StandardCharsets.UTF_8))).withTls();

    @Test
    void theServersOwnCertificateIsTrustedWithHostnameVerification() throws Exception {
        try (SSLSocket socket = (SSLSocket) server.sslSocketFactory().createSocket("localhost", server.port())) {
            var parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");   // the certificate names localhost and 127.0.0.1
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(5_000);
            assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("TLSv1.");
        }
    }

    @Test
    void aPemFileCanBeTrusted(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("cert.pem");
        try (InputStream in = TestTls.class.getResourceAsStream("test-certificate.pem")) {
            Files.write(pem, in.readAllBytes());
        }
        try (var socket = TestTls.trusting(pem).getSocketFactory().createSocket(server.host(), server.port())) {
            socket.setSoTimeout(5_000);
            assertThat(socket.getInputStream().readAllBytes()).isNotEmpty();
        }
    }

    @Test
    void aContextTrustsNothingElse(@TempDir Path dir) throws Exception {
        Path other = dir.resolve("other.pem");
        Files.writeString(other, Files.readString(Path.of(TlsTest.class.getResource("/other-certificate.pem").toURI())));
        try (var socket = (SSLSocket) TestTls.trusting(other).getSocketFactory().createSocket(server.host(), server.port())) {
            socket.setSoTimeout(5_000);
            assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void aFileWithoutACertificateIsRefused(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "no certificate here\n");
        assertThatThrownBy(() -> TestTls.trusting(empty)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty.pem");
    }

    @Test
    void aPlainServerHasNoClientContext() throws Exception {
        try (TestServer plain = TestServer.tcp(conn -> { }).start()) {
            assertThatThrownBy(plain::sslContext).isInstanceOf(IllegalStateException.class).hasMessageContaining("withTls()");
        }
    }
}
