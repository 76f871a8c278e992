package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class AddressTextTest {

    @ParameterizedTest
    @CsvSource({
            "0:0:0:0:0:0:0:1, ::1",
            "0:0:0:0:0:0:0:0, ::",
            "fe80:0:0:0:0:0:0:1, fe80::1",
            "1:0:0:0:0:0:0:0, 1::",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
            "2001:DB8:0:0:0:0:0:ABCD, 2001:db8::abcd",
    })
    void writesIpv6InItsShortForm(String literal, String expected) {
        assertThat(AddressText.ipv6((Inet6Address) Inet6Address.ofLiteral(literal))).isEqualTo(expected);
    }

    @Test
    void writesUrisAsListenTakesThem() throws Exception {
        assertThat(AddressText.uri("tcp", new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 9000))).isEqualTo("tcp://127.0.0.1:9000");
        assertThat(AddressText.uri("udp", new InetSocketAddress(InetAddress.ofLiteral("::1"), 5000))).isEqualTo("udp://[::1]:5000");
        assertThat(AddressText.uri("unix", UnixDomainSocketAddress.of("/tmp/x.sock"))).isEqualTo("unix:/tmp/x.sock");
    }
}
