package dev.socketserver.bench.jmh;

import dev.socketserver.internal.proxy.ProxyHeader;
import dev.socketserver.internal.proxy.ProxyTlv;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark's headers are whole, valid headers that both entry points parse to the same thing. */
class ProxyHeaderBenchmarkTest {

    @ParameterizedTest
    @ValueSource(strings = {"v1-tcp4", "v1-tcp6", "v2-tcp4", "v2-tcp6", "v2-tcp4-tlvs"})
    void everyShapeParsesWhole(String shape) throws Exception {
        var bench = new ProxyHeaderBenchmark();
        bench.header = shape;
        bench.build();   // throws unless the bytes are exactly one header

        ProxyHeader read = bench.read();
        assertThat(read.version()).isEqualTo(shape.startsWith("v1") ? 1 : 2);
        assertThat(((InetSocketAddress) read.source()).getPort()).isEqualTo(56324);
        assertThat(((InetSocketAddress) read.destination()).getPort()).isEqualTo(443);
        assertThat(bench.parse()).isInstanceOfSatisfying(dev.socketserver.internal.proxy.ProxyHeaderParser.Complete.class,
                c -> assertThat(c.header().source()).isEqualTo(read.source()));
        if (shape.endsWith("tlvs")) {
            assertThat(read.alpn()).hasValueSatisfying(v -> assertThat(new String(v)).isEqualTo("h2"));
            assertThat(read.ssl()).isPresent();
            assertThat(read.tlvs()).extracting(ProxyTlv::type).contains(ProxyTlv.CRC32C);
        }
    }
}
