package dev.socketserver.internal.proxy;

import org.junit.jupiter.params.provider.Arguments;

import java.util.stream.Stream;

import static dev.socketserver.internal.proxy.TestStreams.ascii;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** A valid header of every shape, named, for tests that run over all of them. */
final class SampleHeaders {
    private SampleHeaders() {
    }

    static Stream<Arguments> all() {
        String full6 = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        byte[] ssl = V2HeaderBuilder.sslValue(ProxySslInfo.CLIENT_SSL, 0, ProxyTlv.SSL_VERSION, "TLSv1.3", ProxyTlv.SSL_CN, "c");
        return Stream.of(
                arguments("v1 TCP4", ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n")),
                arguments("v1 TCP6", ascii("PROXY TCP6 2001:db8::1 ::ffff:192.0.2.1 51234 8443\r\n")),
                arguments("v1 UNKNOWN", ascii("PROXY UNKNOWN\r\n")),
                arguments("v1 UNKNOWN, 107 bytes", ascii("PROXY UNKNOWN " + full6 + " " + full6 + " 65535 65535\r\n")),
                arguments("v2 PROXY TCP4", V2HeaderBuilder.proxy().tcp4("192.0.2.10", 40000, "192.0.2.1", 443).build()),
                arguments("v2 PROXY UDP6", V2HeaderBuilder.proxy().udp6("2001:db8::7", 53, "2001:db8::1", 53).build()),
                arguments("v2 PROXY UNIX", V2HeaderBuilder.proxy()
                        .unixStream(V2HeaderBuilder.unixPath("/run/a.sock"), V2HeaderBuilder.unixAbstract("b")).build()),
                arguments("v2 PROXY UNSPEC", V2HeaderBuilder.proxy().build()),
                arguments("v2 LOCAL", V2HeaderBuilder.local().build()),
                arguments("v2 LOCAL with addresses and TLVs", V2HeaderBuilder.local().tcp4("192.0.2.10", 1, "192.0.2.1", 2)
                        .tlv(ProxyTlv.AUTHORITY, "example.com").build()),
                arguments("v2 PROXY TCP4 with every TLV", V2HeaderBuilder.proxy().tcp4("192.0.2.10", 40000, "192.0.2.1", 443)
                        .tlv(ProxyTlv.ALPN, "h2").tlv(ProxyTlv.AUTHORITY, "example.com").tlv(ProxyTlv.UNIQUE_ID, "id-1")
                        .tlv(ProxyTlv.SSL, ssl).tlv(ProxyTlv.NOOP, new byte[3]).crc32c().build()));
    }
}
