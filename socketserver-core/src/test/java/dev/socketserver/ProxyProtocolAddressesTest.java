package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.internal.Addresses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md G1 against real servers: what the handler sees for each kind of valid header.
 * The proxied source becomes {@code clientAddress()}; UNKNOWN and LOCAL keep the real peer (LOCAL's
 * address block and TLVs are skipped by length); bytes after the header in the same segment reach
 * the handler intact; a Unix-stream server takes headers too.
 */
@Timeout(30)
class ProxyProtocolAddressesTest {
    private static final String V2_SIGNATURE = "0d0a0d0a000d0a515549540a";

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    /** Tells the client the client address, the header's version and source, and the first line after the header. */
    private static final ConnectionHandler DESCRIBE = conn -> {
        ProxyInfo info = conn.proxyInfo().orElseThrow();
        String line = Addresses.format(conn.clientAddress()) + " v" + info.version() + " source=" + info.source()
                + " then=" + conn.readLine() + "\n";
        conn.out().write(line.getBytes(StandardCharsets.UTF_8));
    };

    @Test
    void v1Tcp6AndUnknownHeaders() throws Exception {
        try (var server = tcp(); Serving<?> _ = TestServers.serve(server)) {
            assertThat(exchange(server, "PROXY TCP6 2001:db8::1 2001:db8::2 40000 443\r\nnext\n"))
                    .startsWith("[2001:db8::1]:40000 v1 source=").endsWith(" then=next\n");
            assertThat(exchange(server, "PROXY UNKNOWN\r\nnext\n")).matches("127\\.0\\.0\\.1:\\d+ v1 source=null then=next\n");
            assertThat(exchange(server, "PROXY UNKNOWN 1 2 3 4 5 6\r\nnext\n")).matches("127\\.0\\.0\\.1:\\d+ v1 source=null then=next\n");
        }
    }

    @Test
    void v2LocalWithAnAddressBlockAndTlvsKeepsTheRealPeerAndThePayload() throws Exception {
        try (var server = tcp(); Serving<?> _ = TestServers.serve(server)) {
            // LOCAL (0x20), TCP over IPv4 (0x11), 12 address bytes and a 5-byte NOOP TLV, as HAProxy's health checks send
            byte[] local = HexFormat.of().parseHex(V2_SIGNATURE + "20110014" + "c0000201c00002029c4001bb" + "0400056865616c74");
            byte[] reply = exchange(server, concat(local, ascii("payload\n")));
            assertThat(new String(reply, StandardCharsets.UTF_8)).matches("127\\.0\\.0\\.1:\\d+ v2 source=null then=payload\n");
        }
    }

    @Test
    void v2ProxyOverUnixAddressesGivesTheProxiedPath() throws Exception {
        try (var server = tcp(); Serving<?> _ = TestServers.serve(server)) {
            byte[] source = new byte[108];
            byte[] destination = new byte[108];
            System.arraycopy(ascii("/run/client.sock"), 0, source, 0, 16);
            System.arraycopy(ascii("/run/lb.sock"), 0, destination, 0, 12);
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            header.writeBytes(HexFormat.of().parseHex(V2_SIGNATURE + "213100d8"));   // PROXY, UNIX stream, 216 bytes
            header.writeBytes(source);
            header.writeBytes(destination);
            String reply = new String(exchange(server, concat(header.toByteArray(), ascii("over unix\n"))), StandardCharsets.UTF_8);
            assertThat(reply).startsWith("/run/client.sock v2 ").endsWith(" then=over unix\n");
        }
    }

    @Test
    void aUnixStreamServerTakesHeadersToo() throws Exception {
        Path path = dir.resolve("p.sock");
        // a Unix peer is not checked against the networks: the socket file's permissions decide
        ServerOptions options = ServerOptions.builder().proxyProtocol(ProxyProtocol.from("10.0.0.0/8")).build();
        try (var server = new UnixStreamServer(path, DESCRIBE, Concurrency.virtualThreads(), options);
             Serving<?> _ = TestServers.serve(server)) {
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                client.write(ByteBuffer.wrap(ascii("PROXY TCP4 203.0.113.9 10.0.0.1 5555 80\r\nvia unix\n")));
                client.shutdownOutput();
                assertThat(new String(Channels.newInputStream(client).readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("203.0.113.9:5555 v1 source=/203.0.113.9:5555 then=via unix\n");
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static TcpServer tcp() throws IOException {
        return new TcpServer(new InetSocketAddress("127.0.0.1", 0), DESCRIBE, Concurrency.virtualThreads(),
                ServerOptions.builder().proxyProtocol(ProxyProtocol.from("127.0.0.0/8")).build());
    }

    private static String exchange(TcpServer server, String text) throws IOException {
        return new String(exchange(server, ascii(text)), StandardCharsets.UTF_8);
    }

    private static byte[] exchange(TcpServer server, byte[] bytes) throws IOException {
        try (Socket client = new Socket()) {
            client.connect(server.serverAddress(), 5_000);
            client.setSoTimeout(5_000);
            client.getOutputStream().write(bytes);   // header and payload in one segment
            client.shutdownOutput();
            return client.getInputStream().readAllBytes();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(a);
        all.writeBytes(b);
        return all.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
