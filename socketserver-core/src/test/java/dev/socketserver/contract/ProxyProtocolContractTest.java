package dev.socketserver.contract;

import dev.socketserver.Descriptors;
import dev.socketserver.LogCapture;
import dev.socketserver.ProxyProtocol;
import dev.socketserver.ServerOptions;
import dev.socketserver.contract.Family.Handler;
import dev.socketserver.contract.Family.Seen;
import dev.socketserver.internal.Addresses;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.socketserver.contract.Clients.ascii;
import static dev.socketserver.contract.Clients.exchange;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A PROXY header from a trusted load balancer, the same in both families: the header is read
 * before the handler (blocking) or the protocol (event loop) begins, which sees the real client,
 * the destination and v2's TLVs, for v1 and v2, IPv4 and IPv6; the bytes after the header arrive
 * intact, whether they share its segment or the header comes a byte per segment; an untrusted peer
 * is closed before the handler runs, logged once, and leaves nothing behind. The bad headers that
 * are turned away are {@link ProxyAdmissionContractTest}'s.
 */
@Timeout(30)
class ProxyProtocolContractTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void aV1HeaderGivesTheHandlerTheRealClientAndTheBytesAfterItInTheSameSegmentArriveIntact(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO, proxied("127.0.0.0/8"))) {
            server.start();
            assertThat(exchange(server.address(), null, ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\nhello after the header\n")))
                    .isEqualTo("hello after the header\n");
            assertThat(server.seen()).singleElement().extracting(ProxyProtocolContractTest::describe)
                    .isEqualTo("v1 client=192.0.2.1:56324 destination=198.51.100.7:443 authority=- alpn=-");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aV1HeaderWithIpv6Addresses(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO, proxied("127.0.0.1/32"))) {
            server.start();
            assertThat(exchange(server.address(), null, ascii("PROXY TCP6 2001:db8::1 2001:db8::2 40000 443\r\nsix\n"))).isEqualTo("six\n");
            assertThat(server.seen()).singleElement().extracting(ProxyProtocolContractTest::describe)
                    .isEqualTo("v1 client=[2001:db8::1]:40000 destination=[2001:db8::2]:443 authority=- alpn=-");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aV2HeaderWithIpv4CarriesTlvsToTheHandler(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO, proxied("127.0.0.1/32,::1/128"))) {
            server.start();
            byte[] header = v2(0x11, new byte[] {(byte) 192, 0, 2, 9}, new byte[] {10, 0, 0, 1}, 40000, 8443,
                    tlv(0x01, "h2"), tlv(0x02, "api.example.com"));
            assertThat(exchange(server.address(), null, concat(header, ascii("payload\n")))).isEqualTo("payload\n");
            assertThat(server.seen()).singleElement().extracting(ProxyProtocolContractTest::describe)
                    .isEqualTo("v2 client=192.0.2.9:40000 destination=10.0.0.1:8443 authority=api.example.com alpn=h2");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aV2HeaderWithIpv6(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO, proxied("127.0.0.0/8"))) {
            server.start();
            byte[] source = InetAddress.getByName("2001:db8::9").getAddress();
            byte[] destination = InetAddress.getByName("2001:db8::1").getAddress();
            assertThat(exchange(server.address(), null, concat(v2(0x21, source, destination, 50000, 443), ascii("v6\n")))).isEqualTo("v6\n");
            assertThat(server.seen()).singleElement().extracting(ProxyProtocolContractTest::describe)
                    .isEqualTo("v2 client=[2001:db8::9]:50000 destination=[2001:db8::1]:443 authority=- alpn=-");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aHeaderSplitAcrossManySegmentsIsReassembled(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO, proxied("127.0.0.0/8"))) {
            server.start();
            byte[] v1 = ascii("PROXY TCP4 203.0.113.5 127.0.0.1 41000 9000\r\nafter\n");
            byte[] v2 = concat(v2(0x11, new byte[] {(byte) 203, 0, 113, 5}, new byte[] {10, 0, 0, 1}, 41000, 9000,
                    tlv(0x05, "x".repeat(100))), ascii("after\n"));
            for (byte[] message : new byte[][] {v1, v2}) {
                try (Socket client = Clients.connect(server.address(), null)) {
                    client.setTcpNoDelay(true);
                    for (byte b : message) {   // one byte per segment, the last header byte together with nothing else
                        client.getOutputStream().write(b);
                        Clients.pace(Duration.ofMillis(2));
                    }
                    client.shutdownOutput();
                    assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("after\n");
                }
            }
            assertThat(server.seen()).extracting(ProxyProtocolContractTest::describe).containsExactly(
                    "v1 client=203.0.113.5:41000 destination=127.0.0.1:9000 authority=- alpn=-",
                    "v2 client=203.0.113.5:41000 destination=10.0.0.1:9000 authority=- alpn=-");
            assertThat(server.stats().proxyRejections()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void anUntrustedPeerIsClosedBeforeTheHandlerRunsAndNothingLeaks(Family family) throws Exception {
        int descriptorsBefore = Descriptors.baseline();
        try (var log = new LogCapture(); var server = family.tcp(Handler.ECHO, proxied("10.0.0.0/8"))) {
            server.start();
            for (int i = 0; i < 20; i++) {
                assertThat(exchange(server.address(), null, ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\nhi\n"))).isEmpty();
            }
            Clients.await("twenty rejections are counted", () -> server.stats().proxyRejections() == 20);
            assertThat(server.stats().proxyRejectionsByReason()).containsEntry("untrusted", 20L);
            assertThat(server.handled()).isZero();
            assertThat(log.entries()).filteredOn(e -> e.message().contains("not in the PROXY protocol's trusted networks 10.0.0.0/8"))
                    .as("logged at most once a second").hasSize(1);
            Clients.await("every connection is closed", () -> server.activeRequests() == 0);
        }
        Clients.await("descriptors are back to " + descriptorsBefore, () -> Descriptors.open() <= descriptorsBefore);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static ServerOptions proxied(String trusted) {
        return ServerOptions.builder().proxyProtocol(ProxyProtocol.from(trusted)).build();
    }

    /** What the handler saw of the header, in one line. */
    private static String describe(Seen seen) {
        var info = seen.proxy().orElseThrow();
        return "v" + info.version() + " client=" + Addresses.format(seen.client()) + " destination=" + Addresses.format(info.destination())
                + " authority=" + info.authority().orElse("-") + " alpn=" + info.alpn().orElse("-");
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
