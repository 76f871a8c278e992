package dev.socketserver;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md F4, the part a JDK client can drive: client-initiated renegotiation (TLS 1.2) is
 * refused and the connection closed promptly, rather than left hanging; a TLS 1.3 key update, the
 * post-handshake message TLS 1.3 keeps, is answered and the connection goes on.
 */
@Timeout(30)
class TlsRenegotiationTest {
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    @BeforeAll
    static void loadCertificates() throws Exception {
        serverContext = TestCertificates.serverContext();
        clientContext = TestCertificates.clientContext(false);
    }

    /** Echoes lines until EOF. */
    private static final StreamHandler ECHO_LINES = conn -> {
        String line;
        while ((line = conn.readLine()) != null) {
            conn.out().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
    };

    @Test
    void aTls12RenegotiationIsRefusedAndTheConnectionClosedPromptly() throws Exception {
        try (var log = new LogCapture(); var server = tlsServer(); SSLSocket client = client(server, "TLSv1.2")) {
            var in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            client.getOutputStream().write("before\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("before");
            long start = System.nanoTime();
            String after;
            try {
                client.startHandshake();   // a second handshake on TLS 1.2: renegotiation
                client.getOutputStream().write("after\n".getBytes(StandardCharsets.UTF_8));
                after = in.readLine();
            } catch (IOException refused) {
                after = "refused: " + refused.getMessage();
            }
            assertThat(after).as("the server neither echoes after a renegotiation nor hangs").isNotEqualTo("after");
            assertThat(TestServers.since(start)).isLessThan(Duration.ofSeconds(3));
            TestServers.await(TestServers.DEADLINE, "the request ends", () -> server.activeRequests() == 0);
        }
    }

    @Test
    void aTls13KeyUpdateIsAnsweredAndTheConnectionGoesOn() throws Exception {
        try (var server = tlsServer(); SSLSocket client = client(server, "TLSv1.3")) {
            var in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            client.getOutputStream().write("before\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("before");
            client.startHandshake();   // on TLS 1.3: a KeyUpdate that asks the server to update too
            for (int i = 0; i < 3; i++) {
                client.getOutputStream().write(("after " + i + "\n").getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("after " + i);
            }
        }
    }

    private static TcpServer tlsServer() throws IOException {
        TcpServer server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ECHO_LINES);
        server.setSslContext(serverContext);
        Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
        return server;
    }

    private static SSLSocket client(TcpServer server, String protocol) throws IOException {
        var address = (InetSocketAddress) server.serverAddress();
        SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        socket.setEnabledProtocols(new String[] {protocol});
        socket.setSoTimeout(5_000);
        return socket;
    }
}
