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
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static dev.socketserver.internal.proxy.TestStreams.ascii;
import static org.assertj.core.api.Assertions.assertThat;

/** Valid v1 (text) headers, from the spec's examples and its length limits, read from a stream and from a buffer. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyV1HeaderTest {
    private final ProxyHeaderParser parser = ProxyHeaderParser.create();

    private ProxyHeader readOnly(String line) throws IOException {
        byte[] bytes = ascii(line);
        var in = new TestStreams.Bounded(bytes);
        ProxyHeader fromStream = parser.read(in);
        assertThat(in.position()).as("bytes read").isEqualTo(bytes.length);
        var fromBuffer = parser.parse(bytes, 0, bytes.length);
        assertThat(fromBuffer).isEqualTo(new Complete(fromStream, bytes.length));
        return fromStream;
    }

    @Test
    void tcp4ExampleFromTheSpecGivesTheClientAndServerAddresses() throws Exception {
        ProxyHeader header = readOnly("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");

        assertThat(header.version()).isEqualTo(1);
        assertThat(header.command()).isEqualTo(Command.PROXY);
        assertThat(header.family()).isEqualTo(Family.INET);
        assertThat(header.transport()).isEqualTo(Transport.STREAM);
        assertThat(header.hasAddresses()).isTrue();
        assertThat(header.source()).isEqualTo(new InetSocketAddress(InetAddress.getByName("192.168.0.1"), 56324));
        assertThat(header.destination()).isEqualTo(new InetSocketAddress(InetAddress.getByName("192.168.0.11"), 443));
        assertThat(((InetSocketAddress) header.source()).getAddress()).isInstanceOf(Inet4Address.class);
        assertThat(header.tlvs()).isEmpty();
    }

    @Test
    void tcp4WithTheLongestAddressesAndPortsIsTheSpecs56Bytes() throws Exception {
        String line = "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n";
        assertThat(line).hasSize(56);

        ProxyHeader header = readOnly(line);

        assertThat(header.source()).isEqualTo(new InetSocketAddress(InetAddress.getByName("255.255.255.255"), 65535));
    }

    @Test
    void tcp4AcceptsZeroAddressesAndPortZero() throws Exception {
        ProxyHeader header = readOnly("PROXY TCP4 0.0.0.0 0.0.0.0 0 0\r\n");

        assertThat(((InetSocketAddress) header.source()).getPort()).isZero();
    }

    @Test
    void tcp6GivesIpv6Addresses() throws Exception {
        ProxyHeader header = readOnly("PROXY TCP6 2001:db8::1 ::1 51234 8443\r\n");

        assertThat(header.family()).isEqualTo(Family.INET6);
        assertThat(header.source()).isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 51234));
        assertThat(header.destination()).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 8443));
    }

    @Test
    void tcp6WithEightFullGroupsIsTheSpecs104Bytes() throws Exception {
        String full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        String line = "PROXY TCP6 " + full + " " + full + " 65535 65535\r\n";
        assertThat(line).hasSize(104);

        ProxyHeader header = readOnly(line);

        assertThat(((InetSocketAddress) header.source()).getAddress().getAddress()).containsOnly((byte) 0xFF);
    }

    @Test
    void tcp6KeepsAnIpv4MappedAddressAsIpv6() throws Exception {
        // inet_ntop writes a v4-mapped client on a dual-stack listener this way.
        ProxyHeader header = readOnly("PROXY TCP6 ::ffff:192.0.2.7 ::ffff:192.0.2.1 40000 80\r\n");

        InetAddress source = ((InetSocketAddress) header.source()).getAddress();
        assertThat(source).isInstanceOf(Inet6Address.class);
        assertThat(source.getAddress()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 7);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2001:DB8::A", "2001:0db8:0000:0000:0000:0000:0000:000a", "2001:db8:0:0:0:0:0:a", "2001:db8::0:a"})
    void tcp6AcceptsEveryTextFormOfTheSameAddress(String form) throws Exception {
        ProxyHeader header = readOnly("PROXY TCP6 " + form + " ::1 1 2\r\n");

        assertThat(((InetSocketAddress) header.source()).getAddress()).isEqualTo(InetAddress.getByName("2001:db8::a"));
    }

    @Test
    void unknownShortFormIsTheSpecs15BytesAndHasNoAddresses() throws Exception {
        ProxyHeader header = readOnly("PROXY UNKNOWN\r\n");

        assertThat(header.family()).isEqualTo(Family.UNSPEC);
        assertThat(header.transport()).isEqualTo(Transport.UNSPEC);
        assertThat(header.command()).isEqualTo(Command.PROXY);
        assertThat(header.hasAddresses()).isFalse();
        assertThat(header.source()).isNull();
        assertThat(header.destination()).isNull();
    }

    @Test
    void unknownIgnoresWhateverFollowsUpToTheCrlf() throws Exception {
        assertThat(readOnly("PROXY UNKNOWN 1 2 3 4 5 6\r\n").hasAddresses()).isFalse();
        assertThat(readOnly("PROXY UNKNOWN  not even \u0001 valid\r\n").hasAddresses()).isFalse();
    }

    @Test
    void unknownWorstCaseOf107BytesIsAccepted() throws Exception {
        String full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        String line = "PROXY UNKNOWN " + full + " " + full + " 65535 65535\r\n";
        assertThat(line).hasSize(ProxyHeaderParser.V1_MAX_LENGTH);

        assertThat(readOnly(line).family()).isEqualTo(Family.UNSPEC);
    }
}
