package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PROXY protocol on a TCP server: handlers see the real client and the header's TLVs. Untrusted
 * peers and bad or late headers, turned away alike by both families, are the contract suite's
 * ({@code contract.ProxyAdmissionContractTest}); every reason on a TCP server is in
 * {@link ProxyHeaderRejectionsTest}.
 */
@Timeout(30)
class ProxyProtocolTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** Tells the client what the handler saw, then echoes one line. */
    private static final ConnectionHandler DESCRIBE = conn -> {
        var info = conn.proxyInfo().orElseThrow();
        String line = "v" + info.version() + " client=" + dev.socketserver.internal.Addresses.format(conn.clientAddress())
                + " destination=" + dev.socketserver.internal.Addresses.format(info.destination())
                + " authority=" + info.authority().orElse("-") + " alpn=" + info.alpn().orElse("-") + "\n";
        conn.out().write(line.getBytes(StandardCharsets.UTF_8));
        conn.out().write((conn.readLine() + "\n").getBytes(StandardCharsets.UTF_8));
    };

    @Test
    void aV1HeaderGivesTheHandlerTheRealClientAndTheBytesAfterItArriveIntact() throws Exception {
        try (var server = proxyServer("127.0.0.0/8", DESCRIBE)) {
            String reply = exchange(server, "PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\nhello after the header\n");
            assertThat(reply).isEqualTo("v1 client=192.0.2.1:56324 destination=198.51.100.7:443 authority=- alpn=-\nhello after the header\n");
        }
    }

    @Test
    void aV2HeaderCarriesTlvsToTheHandler() throws Exception {
        try (var server = proxyServer("127.0.0.1/32,::1/128", DESCRIBE)) {
            byte[] header = v2Header(new byte[] {(byte) 192, 0, 2, 9}, new byte[] {10, 0, 0, 1}, 40000, 8443,
                    tlv(0x01, "h2"), tlv(0x02, "api.example.com"));
            String reply = exchange(server, header, "payload\n".getBytes(StandardCharsets.UTF_8));
            assertThat(reply).isEqualTo("v2 client=192.0.2.9:40000 destination=10.0.0.1:8443 authority=api.example.com alpn=h2\npayload\n");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static TcpServer proxyServer(String trusted, ConnectionHandler handler) throws IOException {
        TcpServer server = new TcpServer(LOOPBACK, handler, Concurrency.virtualThreads(),
                ServerOptions.builder().proxyProtocol(ProxyProtocol.from(trusted)).build());
        Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
        return server;
    }

    private static String exchange(TcpServer server, String text) throws IOException {
        return exchange(server, text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String exchange(TcpServer server, byte[]... parts) throws IOException {
        try (Socket client = new Socket()) {
            client.connect(server.serverAddress(), 5_000);
            client.setSoTimeout(5_000);
            for (byte[] part : parts) {
                client.getOutputStream().write(part);
            }
            try {
                return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.SocketException reset) {
                return "";   // closed with our bytes unread: a reset
            }
        }
    }

    private static byte[] tlv(int type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer tlv = ByteBuffer.allocate(3 + bytes.length);
        tlv.put((byte) type).putShort((short) bytes.length).put(bytes);
        return tlv.array();
    }

    /** A v2 PROXY header for TCP over IPv4 (HAProxy's proxy-protocol.txt, section 2.2). */
    private static byte[] v2Header(byte[] source, byte[] destination, int sourcePort, int destinationPort, byte[]... tlvs) {
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        for (byte[] tlv : tlvs) {
            extra.writeBytes(tlv);
        }
        ByteBuffer header = ByteBuffer.allocate(16 + 12 + extra.size());
        header.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        header.put((byte) 0x21).put((byte) 0x11).putShort((short) (12 + extra.size()));
        header.put(source).put(destination).putShort((short) sourcePort).putShort((short) destinationPort);
        header.put(extra.toByteArray());
        return header.array();
    }
}
