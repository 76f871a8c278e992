package dev.socketserver.async;

import dev.socketserver.ProxyProtocol;
import dev.socketserver.ServerOptions;
import dev.socketserver.internal.Addresses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PROXY protocol where the event loop has more to say: a Unix stream peer is trusted and its
 * header read, and a protocol that pauses reading in connectionMade still gets the bytes after the
 * header. What a header gives the handler or protocol of a TCP server, and untrusted peers, are
 * the contract suite's ({@code contract.ProxyProtocolContractTest}); malformed, truncated and late
 * headers are {@code contract.ProxyAdmissionContractTest}'s, both run against both families.
 */
@Timeout(30)
class AsyncProxyProtocolTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private AsyncServer server;

    /** Tells the client, in connectionMade, what it saw of the header; then echoes. */
    private final class Describe implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            var info = t.proxyInfo().orElseThrow();
            t.write(("v" + info.version() + " client=" + Addresses.format(t.clientAddress())
                    + " destination=" + Addresses.format(info.destination())
                    + " authority=" + info.authority().orElse("-") + " alpn=" + info.alpn().orElse("-") + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aUnixStreamPeerIsTrustedAndItsHeaderRead() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("/tmp"), "proxy");
        java.nio.file.Path path = dir.resolve("p.sock");
        // 10.0.0.0/8 says nothing about Unix peers: they are local
        server = AsyncServer.unix(path, Describe::new, proxied("10.0.0.0/8"));
        server.start();
        try (var client = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(path))) {
            client.write(ByteBuffer.wrap(ascii("PROXY TCP4 198.51.100.2 10.0.0.1 1234 80\r\nunix\n")));
            client.shutdownOutput();
            String reply = new String(AsyncServerTest.readAll(java.nio.channels.Channels.newInputStream(client)), StandardCharsets.UTF_8);
            assertThat(reply).isEqualTo("v1 client=198.51.100.2:1234 destination=10.0.0.1:80 authority=- alpn=-\nunix\n");
        } finally {
            server.close();
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void aProtocolThatPausesReadingInConnectionMadeStillGetsTheBytesAfterTheHeaderOnResume() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
                t.pauseReading();
                t.loop().schedule(Duration.ofMillis(100), t::resumeReading);
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                transport.write(data);
            }
        }, proxied("127.0.0.0/8"));
        server.start();
        assertThat(exchange(ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\nkept while paused\n"))).isEqualTo("kept while paused\n");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static ServerOptions proxied(String trusted) {
        return ServerOptions.builder().proxyProtocol(ProxyProtocol.from(trusted)).build();
    }

    private Socket connect() throws IOException {
        return AsyncServerTest.connect(server.serverAddress());
    }

    /** Sends {@code bytes} in one write, then EOF; returns all the server sent ("" if it reset). */
    private String exchange(byte[] bytes) throws IOException {
        try (Socket client = connect()) {
            client.getOutputStream().write(bytes);
            client.shutdownOutput();
            try {
                return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.SocketException reset) {
                return "";   // closed with our bytes unread: a reset
            }
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
