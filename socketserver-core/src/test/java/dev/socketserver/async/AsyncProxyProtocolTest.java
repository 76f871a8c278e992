package dev.socketserver.async;

import dev.socketserver.ProxyProtocol;
import dev.socketserver.ServerOptions;
import dev.socketserver.LogCapture;
import dev.socketserver.internal.Addresses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.socketserver.async.AsyncServerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PROXY protocol on the event loop: the header is read before connectionMade, the protocol
 * sees the real client and the TLVs, the bytes after the header arrive intact, and untrusted
 * peers close the connection with no callback and leave nothing behind. Malformed, truncated and
 * late headers are the contract suite's ({@code contract.ProxyAdmissionContractTest}), run
 * against both families.
 */
@Timeout(30)
class AsyncProxyProtocolTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private final AtomicInteger made = new AtomicInteger();
    private AsyncServer server;

    /** Tells the client, in connectionMade, what it saw of the header; then echoes. */
    private final class Describe implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            made.incrementAndGet();
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
    void aV1HeaderGivesTheRealClientAndTheBytesAfterItInTheSameSegmentArriveIntact() throws Exception {
        start("127.0.0.0/8");
        assertThat(exchange(ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\nhello after the header\n")))
                .isEqualTo("v1 client=192.0.2.1:56324 destination=198.51.100.7:443 authority=- alpn=-\nhello after the header\n");
    }

    @Test
    void aV1HeaderWithIpv6Addresses() throws Exception {
        start("127.0.0.1/32");
        assertThat(exchange(ascii("PROXY TCP6 2001:db8::1 2001:db8::2 40000 443\r\nsix\n")))
                .isEqualTo("v1 client=[2001:db8::1]:40000 destination=[2001:db8::2]:443 authority=- alpn=-\nsix\n");
    }

    @Test
    void aV2HeaderWithIpv4CarriesTlvs() throws Exception {
        start("127.0.0.1/32,::1/128");
        byte[] header = v2(0x11, new byte[] {(byte) 192, 0, 2, 9}, new byte[] {10, 0, 0, 1}, 40000, 8443,
                tlv(0x01, "h2"), tlv(0x02, "api.example.com"));
        assertThat(exchange(concat(header, ascii("payload\n"))))
                .isEqualTo("v2 client=192.0.2.9:40000 destination=10.0.0.1:8443 authority=api.example.com alpn=h2\npayload\n");
    }

    @Test
    void aV2HeaderWithIpv6() throws Exception {
        start("127.0.0.0/8");
        byte[] source = InetAddress.getByName("2001:db8::9").getAddress();
        byte[] destination = InetAddress.getByName("2001:db8::1").getAddress();
        assertThat(exchange(concat(v2(0x21, source, destination, 50000, 443), ascii("v6\n"))))
                .isEqualTo("v2 client=[2001:db8::9]:50000 destination=[2001:db8::1]:443 authority=- alpn=-\nv6\n");
    }

    @Test
    void aHeaderSplitAcrossManySegmentsIsReassembled() throws Exception {
        start("127.0.0.0/8");
        byte[] v2 = concat(v2(0x11, new byte[] {(byte) 203, 0, 113, 5}, new byte[] {10, 0, 0, 1}, 41000, 9000,
                tlv(0x05, "x".repeat(100))), ascii("after\n"));
        byte[] v1 = ascii("PROXY TCP4 203.0.113.5 127.0.0.1 41000 9000\r\nafter\n");
        for (byte[] message : new byte[][] {v1, v2}) {
            try (Socket client = connect()) {
                client.setTcpNoDelay(true);
                for (byte b : message) {   // one byte per segment, the last header byte together with nothing else
                    client.getOutputStream().write(b);
                    await(Duration.ofMillis(2), () -> false);
                }
                client.shutdownOutput();
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .startsWith("v" + (message == v1 ? 1 : 2) + " client=203.0.113.5:41000 ").endsWith("\nafter\n");
            }
        }
        assertThat(server.stats().proxyRejections()).isZero();
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
    void anUntrustedPeerIsClosedWithNoCallbackAndNothingLeaks() throws Exception {
        int fdsBefore = AsyncServerTest.openDescriptors();
        try (var capture = new LogCapture()) {
            start("10.0.0.0/8");
            for (int i = 0; i < 20; i++) {
                assertThat(exchange(ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\nhi\n"))).isEmpty();
            }
            assertThat(await(Duration.ofSeconds(5), () -> server.stats().proxyRejections() == 20)).isTrue();
            assertThat(made.get()).isZero();
            assertThat(capture.entries().stream().filter(e -> e.message().contains("not in the PROXY protocol's trusted networks 10.0.0.0/8")))
                    .hasSize(1);
        }
        assertThat(await(Duration.ofSeconds(5), () -> server.activeRequests() == 0)).isTrue();   // the last close runs on its loop
        server.close();
        assertThat(AsyncServerTest.openDescriptors()).isLessThanOrEqualTo(fdsBefore);
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

    private void start(String trusted) throws IOException {
        server = AsyncServer.tcp(LOOPBACK, Describe::new, proxied(trusted));
        server.setEventLoops(2);
        server.start();
    }

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

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] tlv(int type, String value) {
        byte[] bytes = ascii(value);
        return ByteBuffer.allocate(3 + bytes.length).put((byte) type).putShort((short) bytes.length).put(bytes).array();
    }

    /** A v2 PROXY header (HAProxy's proxy-protocol.txt, section 2.2): family 0x11 is TCP over IPv4, 0x21 over IPv6. */
    private static byte[] v2(int family, byte[] source, byte[] destination, int sourcePort, int destinationPort, byte[]... tlvs) {
        byte[] extra = concat(tlvs);
        int addresses = 2 * source.length + 4;
        ByteBuffer header = ByteBuffer.allocate(16 + addresses + extra.length);
        header.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        header.put((byte) 0x21).put((byte) family).putShort((short) (addresses + extra.length));
        header.put(source).put(destination).putShort((short) sourcePort).putShort((short) destinationPort);
        return header.put(extra).array();
    }
}
