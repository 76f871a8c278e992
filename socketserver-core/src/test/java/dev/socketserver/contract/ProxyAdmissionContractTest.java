package dev.socketserver.contract;

import dev.socketserver.LogCapture;
import dev.socketserver.ProxyProtocol;
import dev.socketserver.ServerOptions;
import dev.socketserver.contract.Family.Handler;
import dev.socketserver.internal.Loggers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.time.Duration;

import static dev.socketserver.contract.Clients.ascii;
import static dev.socketserver.contract.Clients.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * PROXY protocol admission, the same in both families: the same bad headers (a bad signature, no
 * PROXY header at all, a bad address, a stream that ends inside the header, a header that does
 * not arrive in time) and an untrusted peer close the connection before the handler runs, are
 * counted under the same lower-case reason keys of {@code ServerStats.proxyRejectionsByReason()},
 * and are logged on {@code dev.socketserver.proxy} at most once a second per reason, in the same
 * words; a header accepted is logged there at {@code DEBUG} with the client it names.
 */
@Timeout(30)
class ProxyAdmissionContractTest {
    private static final String TRUSTED = "127.0.0.2";
    private static final String UNTRUSTED = "127.0.0.1";

    @ParameterizedTest
    @EnumSource(Family.class)
    void badHeadersAndUntrustedPeersAreTurnedAwayUnderTheSameReasons(Family family) throws Exception {
        ServerOptions options = ServerOptions.builder()
                .proxyProtocol(ProxyProtocol.from(TRUSTED + "/32").withHeaderDeadline(Duration.ofMillis(300)))
                .build();
        try (var log = new LogCapture(); var server = family.tcp(Handler.ECHO, options)) {
            server.start();
            for (int i = 0; i < 3; i++) {
                assertThat(exchange(server.address(), TRUSTED, ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))).isEmpty();
            }
            assertThat(exchange(server.address(), TRUSTED, ascii("PROXZ TCP4 192.0.2.1 192.0.2.2 1 2\r\n"))).isEmpty();
            assertThat(exchange(server.address(), TRUSTED, ascii("PROXY TCP4 256.0.0.1 192.0.2.2 1 2\r\n"))).isEmpty();
            assertThat(exchange(server.address(), TRUSTED, ascii("PROXY TCP4 192.0.2.1"))).isEmpty();   // then EOF
            for (int i = 0; i < 3; i++) {
                assertThat(exchange(server.address(), TRUSTED, new byte[0])).as("a TCP health check: connect, close").isEmpty();
            }
            assertThat(exchange(server.address(), UNTRUSTED, ascii("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\nhi\n"))).isEmpty();
            try (Socket stalled = Clients.connect(server.address(), TRUSTED)) {
                long start = System.nanoTime();
                stalled.getOutputStream().write(ascii("PROXY TCP4 192.0"));   // and then nothing
                assertThat(stalled.getInputStream().read()).isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(4));
            }

            Clients.await("eight rejections are counted", () -> server.stats().proxyRejections() == 8);
            assertThat(server.stats().proxyRejectionsByReason()).containsExactly(
                    entry("bad_signature", 1L), entry("malformed_address", 1L), entry("not_proxy_protocol", 3L),
                    entry("timeout", 1L), entry("truncated", 1L), entry("untrusted", 1L));
            assertThat(server.stats().timeouts()).isEqualTo(1);
            assertThat(server.handled()).isZero();

            var lines = log.entries().stream().filter(e -> e.logger().equals(Loggers.PROXY)).toList();
            assertThat(lines).as("one line per reason").hasSize(6).allSatisfy(e -> {
                assertThat(e.level()).isEqualTo("WARNING");
                assertThat(e.message()).startsWith("closing connection from 127.0.0.");
            });
            assertThat(lines).extracting(LogCapture.Entry::message).anySatisfy(m -> assertThat(m)
                    .contains("not in the PROXY protocol's trusted networks 127.0.0.2/32"));
            assertThat(lines).extracting(LogCapture.Entry::message).anySatisfy(m -> assertThat(m)
                    .contains("bad PROXY header: the stream ended after 20 byte(s)"));
            assertThat(lines).extracting(LogCapture.Entry::message).anySatisfy(m -> assertThat(m)
                    .contains("no PROXY header within 300 ms"));
            assertThat(log.errorBlocks()).isEmpty();
            Clients.await("every connection is closed", () -> server.stats().activeRequests() == 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void anAcceptedHeaderIsLoggedAtDebugWithTheClientItNames(Family family) throws Exception {
        ServerOptions options = ServerOptions.builder().proxyProtocol(ProxyProtocol.from(TRUSTED + "/32")).build();
        try (var log = LogCapture.includingDebug(); var server = family.tcp(Handler.ECHO, options)) {
            server.start();
            assertThat(exchange(server.address(), TRUSTED, ascii("PROXY TCP4 192.0.2.1 192.0.2.2 40000 443\r\nhi\n"))).isEqualTo("hi\n");
            // v2 LOCAL (0x20) with no address block, as a health check sends
            assertThat(exchange(server.address(), TRUSTED, concat(java.util.HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "20000000"),
                    ascii("again\n")))).isEqualTo("again\n");

            var lines = log.entries().stream().filter(e -> e.logger().equals(Loggers.PROXY)).toList();
            assertThat(lines).extracting(LogCapture.Entry::level).containsOnly("FINE");
            assertThat(lines).extracting(LogCapture.Entry::message).satisfiesExactly(
                    m -> assertThat(m).matches("connection from 127\\.0\\.0\\.2:\\d+: PROXY v1 client 192\\.0\\.2\\.1:40000 to 192\\.0\\.2\\.2:443"),
                    m -> assertThat(m).matches("connection from 127\\.0\\.0\\.2:\\d+: PROXY v2 LOCAL"));
        }
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
