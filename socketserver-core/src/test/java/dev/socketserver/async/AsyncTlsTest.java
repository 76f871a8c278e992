package dev.socketserver.async;

import dev.socketserver.ServerOptions;
import dev.socketserver.TlsOptions;
import dev.socketserver.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static dev.socketserver.async.AsyncServerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS on the event loop, where it differs from the blocking servers: the water marks count
 * plaintext, close sends close_notify, and many connections leave no loop threads or descriptors
 * behind. What TLS does on a TCP server of either family (what the protocol sees, ALPN, TLS 1.2
 * and large transfers, plaintext and stalled handshakes, mutual TLS, TLS behind a PROXY header) is
 * the contract suite's ({@code contract.TlsContractTest}).
 */
@Timeout(60)
class AsyncTlsTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static SSLContext serverContext;
    private static SSLContext clientContext;
    private AsyncServer server;

    @BeforeAll
    static void loadCertificates() throws Exception {
        serverContext = TestCertificates.serverContext();
        clientContext = TestCertificates.clientContext(false);
    }

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void waterMarksCountPlaintextAndCloseSendsCloseNotify() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<Transport> transport = new AtomicReference<>();
        byte[] chunk = new byte[32 * 1024];
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            @Override
            public void connectionMade(Transport t) {
                transport.set(t);
                while (events.isEmpty()) {   // write until paused
                    t.write(chunk);
                }
            }

            @Override
            public void pauseWriting() {
                events.add("pause " + transport.get().writeBufferSize());
            }

            @Override
            public void resumeWriting() {
                events.add("resume " + transport.get().writeBufferSize());
                transport.get().write("bye".getBytes(StandardCharsets.UTF_8));
                transport.get().close();
            }
        }, ServerOptions.builder().tls(TlsOptions.of(serverContext)).build());
        server.start();
        try (SSLSocket client = tlsClient(clientContext, "localhost")) {
            client.startHandshake();
            assertThat(await(Duration.ofSeconds(10), () -> !events.isEmpty())).isTrue();
            long paused = Long.parseLong(events.getFirst().substring("pause ".length()));
            assertThat(paused).isBetween(64 * 1024L + 1, 64 * 1024L + chunk.length);   // plaintext, just past the high mark
            byte[] all = client.getInputStream().readAllBytes();   // ends at the close_notify, without an exception
            assertThat(new String(all, all.length - 3, 3, StandardCharsets.UTF_8)).isEqualTo("bye");
            assertThat(all.length % chunk.length).isEqualTo(3);
        }
        assertThat(events).hasSize(2);
        assertThat(Long.parseLong(events.get(1).substring("resume ".length()))).isLessThanOrEqualTo(16 * 1024);
    }

    @Test
    void manyTlsConnectionsLeaveNoThreadsOrDescriptorsBehind() throws Exception {
        int fdsBefore = AsyncServerTest.openDescriptors();
        long loopThreadsBefore = AsyncServerTest.loopThreads();
        start(serverContext);
        for (int i = 0; i < 40; i++) {
            try (SSLSocket client = tlsClient(clientContext, "localhost")) {
                client.getOutputStream().write(("n" + i + "\n").getBytes(StandardCharsets.UTF_8));
                assertThat(readLine(client.getInputStream())).isEqualTo("n" + i);
            }
            if (i % 10 == 0) {   // and some that give up halfway
                try (Socket quitter = AsyncServerTest.connect(server.serverAddress())) {
                    quitter.getOutputStream().write(new byte[] {0x16, 0x03, 0x01});
                }
            }
        }
        assertThat(await(Duration.ofSeconds(10), () -> server.activeRequests() == 0)).isTrue();
        server.close();
        assertThat(AsyncServerTest.loopThreads()).isEqualTo(loopThreadsBefore);
        assertThat(await(Duration.ofSeconds(10), () -> AsyncServerTest.openDescriptors() <= fdsBefore))
                .as("descriptors back to %d", fdsBefore).isTrue();
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private void start(SSLContext context) throws IOException {
        server = AsyncServer.tcp(LOOPBACK, AsyncServerTest.Echo::new, ServerOptions.builder().tls(TlsOptions.of(context)).build());
        server.setEventLoops(2);
        server.start();
    }

    private SSLSocket tlsClient(SSLContext context, String sni) throws IOException {
        var address = (InetSocketAddress) server.serverAddress();
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(sni)));
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Reads up to a newline, one byte at a time (so nothing after it is taken). */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return line.isEmpty() ? null : line.toString();
            }
            line.append((char) b);
        }
        return line.toString();
    }
}
