package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyHeader.Command;
import dev.socketserver.internal.proxy.ProxyHeader.Family;
import dev.socketserver.internal.proxy.ProxyHeader.Transport;
import dev.socketserver.internal.proxy.ProxyHeaderParser.Complete;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Valid v2 (binary) headers: PROXY and LOCAL over INET, INET6, UNIX and UNSPEC, read from a stream
 * (which must ask for exactly the header) and from a buffer.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyV2HeaderTest {
    private final ProxyHeaderParser parser = ProxyHeaderParser.create();

    private ProxyHeader readOnly(byte[] bytes) throws IOException {
        var in = new TestStreams.Bounded(bytes);
        ProxyHeader fromStream = parser.read(in);
        assertThat(in.position()).as("bytes read").isEqualTo(bytes.length);
        assertThat(parser.parse(bytes, 0, bytes.length)).isEqualTo(new Complete(fromStream, bytes.length));
        return fromStream;
    }

    @Test
    void proxyTcp4GivesTheAddressesAndPorts() throws Exception {
        ProxyHeader header = readOnly(V2HeaderBuilder.proxy().tcp4("192.0.2.10", 51000, "198.51.100.1", 443).build());

        assertThat(header.version()).isEqualTo(2);
        assertThat(header.command()).isEqualTo(Command.PROXY);
        assertThat(header.family()).isEqualTo(Family.INET);
        assertThat(header.transport()).isEqualTo(Transport.STREAM);
        assertThat(header.source()).isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.10"), 51000));
        assertThat(header.destination()).isEqualTo(new InetSocketAddress(InetAddress.getByName("198.51.100.1"), 443));
        assertThat(header.tlvs()).isEmpty();
    }

    @Test
    void proxyUdp4IsADatagramTransport() throws Exception {
        ProxyHeader header = readOnly(V2HeaderBuilder.proxy().udp4("192.0.2.10", 53, "198.51.100.1", 5353).build());

        assertThat(header.transport()).isEqualTo(Transport.DGRAM);
        assertThat(((InetSocketAddress) header.destination()).getPort()).isEqualTo(5353);
    }

    @Test
    void proxyTcp6GivesIpv6AddressesAndPortsUpTo65535() throws Exception {
        ProxyHeader header = readOnly(V2HeaderBuilder.proxy().tcp6("2001:db8::7", 65535, "2001:db8::1", 0).build());

        assertThat(header.family()).isEqualTo(Family.INET6);
        assertThat(header.source()).isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 65535));
        assertThat(header.destination()).isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 0));
    }

    @Test
    void proxyUdp6KeepsAnIpv4MappedAddressAsInet6Address() throws Exception {
        ProxyHeader header = readOnly(V2HeaderBuilder.proxy().udp6("192.0.2.10", 1, "::1", 2).build());

        InetAddress source = ((InetSocketAddress) header.source()).getAddress();
        assertThat(source).isInstanceOf(Inet6Address.class);
        assertThat(source.getAddress()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 10);
        assertThat(header.transport()).isEqualTo(Transport.DGRAM);
    }

    @Test
    void proxyUnixGivesThePathsAsRawBytes() throws Exception {
        byte[] source = V2HeaderBuilder.unixPath("/run/haproxy/client.sock");
        byte[] destination = V2HeaderBuilder.unixAbstract("backend");

        ProxyHeader header = readOnly(V2HeaderBuilder.proxy().unixStream(source, destination).build());

        assertThat(header.family()).isEqualTo(Family.UNIX);
        assertThat(header.transport()).isEqualTo(Transport.STREAM);
        var client = (ProxyUnixAddress) header.source();
        var server = (ProxyUnixAddress) header.destination();
        assertThat(client.raw()).isEqualTo(source);
        assertThat(client.isAbstract()).isFalse();
        assertThat(new String(client.name(), StandardCharsets.UTF_8)).isEqualTo("/run/haproxy/client.sock");
        assertThat(server.isAbstract()).isTrue();
        assertThat(new String(server.name(), StandardCharsets.UTF_8)).isEqualTo("backend");
        assertThat(server).hasToString("@backend");
    }

    @Test
    void proxyUnixFromAnUnboundClientIsUnnamed() throws Exception {
        ProxyHeader header = readOnly(V2HeaderBuilder.proxy()
                .unixStream(new byte[108], V2HeaderBuilder.unixPath("/s")).build());

        var client = (ProxyUnixAddress) header.source();
        assertThat(client.isUnnamed()).isTrue();
        assertThat(client.isAbstract()).isFalse();
        assertThat(client.name()).isEmpty();
        assertThat(client).hasToString("(unnamed)");
    }

    @Test
    void proxyUnixPathWithNonAsciiBytesIsEscapedWhenPrinted() throws Exception {
        byte[] path = V2HeaderBuilder.unixPath("/tmp/x");
        path[6] = (byte) 0xFF;
        path[7] = '\n';

        ProxyHeader header = readOnly(V2HeaderBuilder.proxy().unixStream(path, path).build());

        assertThat(header.source()).hasToString("/tmp/x\\xff\\x0a");
    }

    @Test
    void proxyWithUnspecFamilyHasNoAddressesAndSkipsItsBytes() throws Exception {
        ProxyHeader header = readOnly(V2HeaderBuilder.proxy().familyTransport(0x00).addressBlock(new byte[20]).build());

        assertThat(header.command()).isEqualTo(Command.PROXY);
        assertThat(header.family()).isEqualTo(Family.UNSPEC);
        assertThat(header.hasAddresses()).isFalse();
        assertThat(header.tlvs()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0x10, 0x20, 0x30, 0x01, 0x02})
    void proxyWithAnUnspecHalfHasNoAddresses(int familyTransport) throws Exception {
        ProxyHeader header = readOnly(V2HeaderBuilder.proxy().familyTransport(familyTransport).build());

        assertThat(header.hasAddresses()).isFalse();
    }

    @Test
    void localWithoutAddressesIsAHealthCheck() throws Exception {
        ProxyHeader header = readOnly(V2HeaderBuilder.local().build());

        assertThat(header.command()).isEqualTo(Command.LOCAL);
        assertThat(header.hasAddresses()).isFalse();
        assertThat(header.tlvs()).isEmpty();
    }

    @Test
    void localWithAnAddressBlockAndTlvsSkipsThemByLength() throws Exception {
        // HAProxy health checks may carry a family, addresses and TLVs; LOCAL says to ignore them all.
        byte[] bytes = V2HeaderBuilder.local().tcp4("192.0.2.10", 1, "192.0.2.11", 2)
                .tlv(ProxyTlv.AUTHORITY, "example.com").wrongCrc32c().build();

        ProxyHeader header = readOnly(bytes);

        assertThat(header.command()).isEqualTo(Command.LOCAL);
        assertThat(header.family()).isEqualTo(Family.INET);
        assertThat(header.hasAddresses()).isFalse();
        assertThat(header.tlvs()).isEmpty();
    }

    @Test
    void localDeclaringLessThanTheFamilysAddressBlockIsStillValid() throws Exception {
        ProxyHeader header = readOnly(V2HeaderBuilder.local().familyTransport(0x21).addressBlock(new byte[3]).build());

        assertThat(header.command()).isEqualTo(Command.LOCAL);
    }

    @Test
    void localForInet6AndUnixIsAccepted() throws Exception {
        assertThat(readOnly(V2HeaderBuilder.local().tcp6("::1", 1, "::1", 2).build()).command()).isEqualTo(Command.LOCAL);
        assertThat(readOnly(V2HeaderBuilder.local().unixStream(new byte[108], new byte[108]).build()).family())
                .isEqualTo(Family.UNIX);
    }

    @Test
    void extraBytesAfterTheAddressBlockOfAnUnspecHeaderAreSkipped() throws Exception {
        byte[] bytes = V2HeaderBuilder.proxy().familyTransport(0x00).raw(new byte[] {1, 2}).build();

        assertThat(readOnly(bytes).tlvs()).isEmpty();
    }

    @Test
    void aHeaderAtTheSpecsMaximumLengthIsAccepted() throws Exception {
        byte[] padding = new byte[0xFFFF - V2Decoder.INET_BLOCK - 3];
        byte[] bytes = V2HeaderBuilder.proxy().tcp4("192.0.2.1", 1, "192.0.2.2", 2).tlv(ProxyTlv.NOOP, padding).build();
        assertThat(bytes).hasSize(ProxyHeaderParser.V2_MAX_LENGTH);

        ProxyHeader header = readOnly(bytes);

        assertThat(header.tlv(ProxyTlv.NOOP)).hasValueSatisfying(tlv -> assertThat(tlv.length()).isEqualTo(padding.length));
    }

    @Test
    void datagramEntryPointLeavesThePayloadAfterTheHeader() throws Exception {
        byte[] header = V2HeaderBuilder.proxy().udp4("192.0.2.10", 53, "198.51.100.1", 53).build();
        var datagram = java.nio.ByteBuffer.wrap(TestStreams.concat(header, TestStreams.ascii("query")));

        ProxyHeader parsed = parser.parseDatagram(datagram);

        assertThat(parsed.transport()).isEqualTo(Transport.DGRAM);
        assertThat(StandardCharsets.US_ASCII.decode(datagram).toString()).isEqualTo("query");
    }
}
