package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;

import static org.assertj.core.api.Assertions.assertThat;

/** --tls-cert/--tls-key, --idle-timeout, --max-connections and --proxy-protocol, through the command, blocking and async. */
@Timeout(60)
class ProductionOptionsTest {

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void tlsCertAndKeyServeTls(String mode) throws Exception {
        Path certs = Path.of(ProductionOptionsTest.class.getResource("/tls/server-cert.pem").toURI()).getParent();
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode,
                "--tls-cert", certs.resolve("server-cert.pem").toString(), "--tls-key", certs.resolve("server-key.pem").toString())) {
            InetSocketAddress address = cli.awaitInetAddress();
            try (SSLSocket client = (SSLSocket) trustAll().getSocketFactory().createSocket(address.getAddress(), address.getPort())) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("secret".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(client.getInputStream().readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("secret");
                assertThat(client.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void tlsOnADatagramAddressIsAUsageError(String mode) throws Exception {
        var finished = CliProcess.run("echo", "--listen", "udp://127.0.0.1:0", "--concurrency", mode, "--tls-cert", "a.pem", "--tls-key", "b.pem");
        assertThat(finished.status()).isEqualTo(2);
        assertThat(finished.stderr().getFirst()).contains("apply to stream servers");
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void idleTimeoutClosesASilentClient(String mode) throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode, "--idle-timeout", "300ms");
             Socket silent = new Socket()) {
            silent.connect(cli.awaitInetAddress(), 10_000);
            silent.setSoTimeout(10_000);
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void statsPrintsTheCountersToStandardErrorPeriodically(String mode) throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode, "--stats", "100ms")) {
            InetSocketAddress address = cli.awaitInetAddress();
            try (var client = Clients.connect(address)) {
                Clients.send(client, "hello");
                assertThat(Clients.read(client, 5)).isEqualTo("hello");
            }
            Clients.awaitTrue("a stats line counting the connection", () -> cli.stderr().lines().anyMatch(line ->
                    line.startsWith("socketserver stats: active 0, accepted 1, requests 1, refused 0, closed 1, bytes in 5, bytes out 5, ")));
        }
    }

    @Test
    void statsRefusesAZeroInterval() throws Exception {
        var finished = CliProcess.run("echo", "--listen", "tcp://127.0.0.1:0", "--stats", "0");
        assertThat(finished.status()).isEqualTo(2);
        assertThat(finished.stderr().getFirst()).contains("--stats needs a positive interval");
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void maxConnectionsLeavesTheNextClientWaitingUntilASlotFrees(String mode) throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode, "--max-connections", "1")) {
            InetSocketAddress address = cli.awaitInetAddress();
            try (var first = Clients.connect(address); var second = Clients.connect(address)) {
                Clients.send(first, "1");
                assertThat(Clients.read(first, 1)).isEqualTo("1");
                Clients.send(second, "2");   // connected in the backlog, not yet served
                first.close();
                assertThat(Clients.read(second, 1)).isEqualTo("2");
            }
        }
    }

    @Test
    void aMissingCertificateFileIsOneLineAndExitOne() throws Exception {
        Path missing = Files.createTempDirectory("tls").resolve("missing.pem");
        var finished = CliProcess.run("echo", "--listen", "tcp://127.0.0.1:0", "--tls-cert", missing.toString(), "--tls-key", missing.toString());
        assertThat(finished.status()).isEqualTo(1);
        assertThat(finished.stderr()).hasSize(1);
        assertThat(finished.stderr().getFirst()).contains("missing.pem");
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void proxyProtocolShowsTheRealClientToGreet(String mode) throws Exception {
        try (var cli = CliProcess.start("greet", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode,
                "--proxy-protocol", "--trusted", "127.0.0.1/32");
             Socket client = new Socket()) {
            client.connect(cli.awaitInetAddress(), 10_000);
            client.setSoTimeout(10_000);
            client.getOutputStream().write("PROXY TCP4 203.0.113.5 127.0.0.1 41000 9000\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("connection");
            assertThat(cli.nextLine()).isEqualTo("got connection from 203.0.113.5:41000");
        }
    }

    @Test
    void maxConnectionsOnAnAsyncDatagramServerIsAUsageError() throws Exception {
        var finished = CliProcess.run("echo", "--listen", "udp://127.0.0.1:0", "--concurrency", "async", "--max-connections", "3");
        assertThat(finished.status()).isEqualTo(2);
        assertThat(finished.stderr().getFirst()).contains("--max-connections with --concurrency async applies to stream servers");
    }

    @Test
    void asyncTlsBehindAProxyHeaderAndAnIdleTimeoutTogether() throws Exception {
        Path certs = Path.of(ProductionOptionsTest.class.getResource("/tls/server-cert.pem").toURI()).getParent();
        try (var cli = CliProcess.start("greet", "--listen", "tcp://127.0.0.1:0", "--concurrency", "async:2",
                "--tls-cert", certs.resolve("server-cert.pem").toString(), "--tls-key", certs.resolve("server-key.pem").toString(),
                "--proxy-protocol", "--trusted", "127.0.0.1/32", "--idle-timeout", "5s", "--max-connections", "10");
             Socket raw = new Socket()) {
            InetSocketAddress address = cli.awaitInetAddress();
            raw.connect(address, 10_000);
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write("PROXY TCP4 198.51.100.9 127.0.0.1 42000 443\r\n".getBytes(StandardCharsets.US_ASCII));
            try (SSLSocket client = (SSLSocket) trustAll().getSocketFactory().createSocket(raw, "localhost", address.getPort(), true)) {
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("connection");
            }
            assertThat(cli.nextLine()).isEqualTo("got connection from 198.51.100.9:42000");
        }
    }

    @Test
    void aBadTrustedListIsAUsageError() throws Exception {
        var finished = CliProcess.run("echo", "--proxy-protocol", "--trusted", "10.1.2.3/8");
        assertThat(finished.status()).isEqualTo(2);
        assertThat(finished.stderr().getFirst()).contains("10.0.0.0/8");
    }

    static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }
}
