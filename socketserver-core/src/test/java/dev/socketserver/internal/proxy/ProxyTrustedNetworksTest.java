package dev.socketserver.internal.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Inet6Address;
import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which peers may send a PROXY header: CIDR lists for IPv4 and IPv6, and every way to write one wrong. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyTrustedNetworksTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    /** An IPv4-mapped IPv6 address as an Inet6Address (InetAddress.getByName would turn it into IPv4). */
    private static InetAddress mapped(String ipv4) throws Exception {
        return Inet6Address.getByAddress(null, V2HeaderBuilder.raw(ipv4, 16), -1);
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, true", "127.255.255.255, true", "128.0.0.1, false",
            "10.1.2.3, true", "11.0.0.0, false", "9.255.255.255, false",
            "::1, true", "::2, false", "2001:db8::1, false", "0.0.0.0, false"})
    void theIssuesExampleListMatchesItsNetworks(String peer, boolean trusted) throws Exception {
        var networks = TrustedNetworks.parse("127.0.0.0/8,10.0.0.0/8,::1/128");

        assertThat(networks.contains(ip(peer))).isEqualTo(trusted);
    }

    @Test
    void aBareAddressIsASingleHost() throws Exception {
        var networks = TrustedNetworks.parse("127.0.0.2, 2001:db8::5");

        assertThat(networks.contains(ip("127.0.0.2"))).isTrue();
        assertThat(networks.contains(ip("127.0.0.1"))).isFalse();
        assertThat(networks.contains(ip("2001:db8::5"))).isTrue();
        assertThat(networks.contains(ip("2001:db8::4"))).isFalse();
        assertThat(networks.networks()).containsExactly("127.0.0.2/32", "2001:db8::5/128");
    }

    @Test
    void prefixesThatAreNotWholeBytesMatchExactlyTheirRange() throws Exception {
        var networks = TrustedNetworks.parse("192.168.4.0/22,2001:db8:8000::/33");

        assertThat(networks.contains(ip("192.168.4.0"))).isTrue();
        assertThat(networks.contains(ip("192.168.7.255"))).isTrue();
        assertThat(networks.contains(ip("192.168.8.0"))).isFalse();
        assertThat(networks.contains(ip("192.168.3.255"))).isFalse();
        assertThat(networks.contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(networks.contains(ip("2001:db8:7fff::1"))).isFalse();
    }

    @Test
    void slashZeroMatchesEveryAddressOfItsFamilyOnly() throws Exception {
        assertThat(TrustedNetworks.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
        assertThat(TrustedNetworks.parse("0.0.0.0/0").contains(ip("2001:db8::1"))).isFalse();
        assertThat(TrustedNetworks.parse("::/0").contains(ip("2001:db8::1"))).isTrue();
        assertThat(TrustedNetworks.parse("::/0").contains(ip("203.0.113.9"))).isFalse();
    }

    @Test
    void anIpv4MappedPeerMatchesIpv4Networks() throws Exception {
        var networks = TrustedNetworks.parse("10.0.0.0/8");

        assertThat(networks.contains(mapped("10.9.8.7"))).isTrue();
        assertThat(networks.contains(mapped("11.9.8.7"))).isFalse();
    }

    @Test
    void anIpv4MappedPeerAlsoMatchesTheMappedIpv6Range() throws Exception {
        var networks = TrustedNetworks.parse("::ffff:10.0.0.0/104");

        assertThat(networks.contains(mapped("10.9.8.7"))).isTrue();
        assertThat(networks.contains(ip("10.9.8.7"))).as("a plain IPv4 peer never matches IPv6 entries").isFalse();
    }

    @Test
    void canonicalFormRoundTrips() {
        var networks = TrustedNetworks.parse(" 10.0.0.0/8 ,2001:0DB8:0:0::/32,::1,::ffff:0:0/96 ");

        assertThat(networks).hasToString("10.0.0.0/8,2001:db8::/32,::1/128,::ffff:0:0/96");
        assertThat(TrustedNetworks.parse(networks.toString())).isEqualTo(networks);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                        | empty",
            "' '                       | empty",
            "'10.0.0.0/8,'             | extra comma",
            "'10.0.0.0/8,,::1'         | extra comma",
            "localhost                 | host names are not allowed",
            "10.0.0.0/33               | 0 to 32",
            "::/129                    | 0 to 128",
            "10.0.0.0/-1               | 0 to 32",
            "10.0.0.0/08               | without leading zeros",
            "10.0.0.0/                 | 0 to 32",
            "10.1.2.3/8                | did you mean 10.0.0.0/8",
            "2001:db8::1/32            | did you mean 2001:db8::/32",
            "010.0.0.0/8               | without leading zeros",
            "10.0.0/24                 | dotted decimal",
            "[::1]                     | no brackets",
            "fe80::1%eth0              | no %zone",
            "10.0.0.0/8 10.1.0.0/16    | 0 to 32"})
    void aBadListIsRefusedWithWhatToFix(String list, String hint) {
        assertThatThrownBy(() -> TrustedNetworks.parse(list))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(hint);
    }
}
