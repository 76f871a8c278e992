package dev.socketserver.async;

import dev.socketserver.ProxyProtocol;
import dev.socketserver.ServerOptions;
import dev.socketserver.TlsOptions;
import dev.socketserver.LogCapture;
import dev.socketserver.TestCertificates;
import dev.socketserver.internal.Addresses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.socketserver.async.AsyncServerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS on the event loop: a JDK SSLSocket round trip with SNI and ALPN visible to the protocol,
 * large transfers, water marks on plaintext, garbage and stalled handshakes closed and counted,
 * mutual TLS, TLS behind a PROXY header, close_notify, and nothing left behind.
 */
@Timeout(60)
class AsyncTlsTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static SSLContext serverContext;
    private static SSLContext clientContext;
    private final AtomicInteger made = new AtomicInteger();
    private AsyncServer server;

    /** Tells the client, in connectionMade, what it saw of the session; then echoes. */
    private final class Describe implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            made.incrementAndGet();
            var session = t.tlsSession().orElseThrow();
            String sni = session instanceof ExtendedSSLSession e && !e.getRequestedServerNames().isEmpty()
                    ? ((SNIHostName) e.getRequestedServerNames().getFirst()).getAsciiName() : "-";
            String peer;
            try {
                peer = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException e) {
                peer = "-";
            }
            t.write((session.getProtocol() + " " + sni + " " + t.tlsApplicationProtocol().orElse("-") + " " + peer
                    + " " + Addresses.format(t.clientAddress()) + "\n").getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

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
    void anSslSocketRoundTripShowsSniAndAlpnToTheProtocol() throws Exception {
        start(TlsOptions.of(serverContext).withApplicationProtocols("h2", "http/1.1"));
        try (SSLSocket client = tlsClient(clientContext, "localhost", "http/1.1")) {
            client.getOutputStream().write("hello over tls\n".getBytes(StandardCharsets.UTF_8));
            assertThat(readLine(client.getInputStream())).matches("TLSv1\\.3 localhost http/1\\.1 - 127\\.0\\.0\\.1:\\d+");
            assertThat(readLine(client.getInputStream())).isEqualTo("hello over tls");
            assertThat(client.getApplicationProtocol()).isEqualTo("http/1.1");
        }
    }

    @Test
    void tls12WorksAndAMegabyteEchoesIntact() throws Exception {
        start(serverContext);
        try (SSLSocket client = tlsClient(clientContext, "localhost")) {
            client.setEnabledProtocols(new String[] {"TLSv1.2"});
            byte[] payload = new byte[1_000_000];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 31);
            }
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    client.getOutputStream().write(payload);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(readLine(client.getInputStream())).startsWith("TLSv1.2 localhost - - ");
            byte[] echoed = client.getInputStream().readNBytes(payload.length);
            writer.join(10_000);
            assertThat(echoed).isEqualTo(payload);
        }
    }

    @Test
    void garbageInsteadOfAClientHelloIsAHandshakeFailureNotAnError() throws Exception {
        try (var capture = new LogCapture()) {
            start(serverContext);
            try (Socket plain = AsyncServerTest.connect(server.serverAddress())) {
                plain.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                plain.getInputStream().readAllBytes();   // whatever alert comes, then EOF
            }
            assertThat(await(Duration.ofSeconds(5), () -> server.stats().tlsHandshakeFailures() == 1)).isTrue();
            assertThat(made.get()).isZero();
            assertThat(capture.errorBlocks()).isEmpty();
            assertThat(capture.entries()).anySatisfy(e -> assertThat(e.message()).startsWith("TLS handshake with 127.0.0.1:"));
        }
        assertThat(await(Duration.ofSeconds(5), () -> server.activeRequests() == 0)).isTrue();
    }

    @Test
    void aClientThatStallsTheHandshakeIsClosedAtTheDeadlineAndTheServerServesOn() throws Exception {
        start(TlsOptions.of(serverContext).withHandshakeDeadline(Duration.ofMillis(300)));
        try (Socket silent = AsyncServerTest.connect(server.serverAddress());
             Socket halfway = AsyncServerTest.connect(server.serverAddress())) {
            halfway.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});   // a record header and one byte of 512
            long start = System.nanoTime();
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
            assertThat(halfway.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
        }
        try (SSLSocket client = tlsClient(clientContext, "localhost")) {
            client.getOutputStream().write("next\n".getBytes(StandardCharsets.UTF_8));
            readLine(client.getInputStream());
            assertThat(readLine(client.getInputStream())).isEqualTo("next");
        }
        assertThat(server.stats().tlsHandshakeFailures()).isEqualTo(2);
        assertThat(made.get()).isEqualTo(1);
    }

    @Test
    void mutualTlsShowsTheClientCertificateAndRefusesClientsWithout() throws Exception {
        start(TlsOptions.of(TestCertificates.mutualServerContext()).withClientAuth());
        try (SSLSocket client = tlsClient(TestCertificates.clientContext(true), "localhost")) {
            assertThat(readLine(client.getInputStream())).contains(" CN=test client ");
        }
        String served;
        try (SSLSocket client = tlsClient(clientContext, "localhost")) {
            served = readLine(client.getInputStream());
        } catch (IOException refused) {
            served = null;   // TLS 1.3: the alert arrives at the first read
        }
        assertThat(served).isNull();
        assertThat(await(Duration.ofSeconds(5), () -> server.stats().tlsHandshakeFailures() == 1)).isTrue();
        assertThat(made.get()).isEqualTo(1);
    }

    @Test
    void tlsBehindAProxyHeaderSeesTheRealClient() throws Exception {
        start(ServerOptions.builder().tls(TlsOptions.of(serverContext)).proxyProtocol(ProxyProtocol.from("127.0.0.0/8")).build());
        var address = (InetSocketAddress) server.serverAddress();
        try (Socket raw = AsyncServerTest.connect(address)) {
            raw.getOutputStream().write("PROXY TCP4 203.0.113.7 127.0.0.1 40000 443\r\n".getBytes(StandardCharsets.US_ASCII));
            try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory().createSocket(raw, "localhost", address.getPort(), true)) {
                client.getOutputStream().write("proxied\n".getBytes(StandardCharsets.UTF_8));
                assertThat(readLine(client.getInputStream())).endsWith(" 203.0.113.7:40000");
                assertThat(readLine(client.getInputStream())).isEqualTo("proxied");
            }
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
                readLine(client.getInputStream());
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
        start(TlsOptions.of(context));
    }

    private void start(TlsOptions tls) throws IOException {
        start(ServerOptions.builder().tls(tls).build());
    }

    private void start(ServerOptions options) throws IOException {
        server = AsyncServer.tcp(LOOPBACK, Describe::new, options);
        server.setEventLoops(2);
        server.start();
    }

    private SSLSocket tlsClient(SSLContext context, String sni, String... alpn) throws IOException {
        var address = (InetSocketAddress) server.serverAddress();
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(sni)));
        if (alpn.length > 0) {
            parameters.setApplicationProtocols(alpn);
        }
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
