package dev.socketserver.contract;

import dev.socketserver.LogCapture;
import dev.socketserver.ServerStats;
import dev.socketserver.contract.Family.Handler;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.time.Duration;

import static dev.socketserver.contract.Clients.ascii;
import static dev.socketserver.contract.Clients.exchange;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counters of {@code ServerStats}, the same in both families: each agrees with what the
 * clients did (connections, bytes each way, a handler that threw, a connection the idle timeout
 * closed), {@code toLine()} says so in one line, and the counters can be read over JMX until the
 * server closes.
 */
@Timeout(30)
class StatsContractTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void countsAgreeWithWhatTheClientsDid(Family family) throws Exception {
        try (var log = new LogCapture(); var server = family.tcp(Handler.ECHO_UNLESS_BANG)) {
            server.setIdleTimeout(Duration.ofMillis(500));
            server.start();
            assertThat(exchange(server.address(), null, ascii("hello"))).isEqualTo("hello");
            assertThat(exchange(server.address(), null, ascii("12345678"))).isEqualTo("12345678");
            try (Socket failing = Clients.connect(server.address(), null)) {
                failing.getOutputStream().write(ascii("!x"));   // the handler throws
                assertThat(Clients.endedByServer(failing)).isTrue();
            }
            try (Socket idle = Clients.connect(server.address(), null)) {   // silent until the idle timeout closes it
                assertThat(Clients.endedByServer(idle)).isTrue();
            }
            Clients.await("every connection is closed", () -> server.stats().closed() == 4);
            Clients.await("every echo is counted", () -> server.stats().bytesOut() == 13);

            ServerStats stats = server.stats();
            assertThat(stats.activeRequests()).isZero();
            assertThat(stats.accepted()).isEqualTo(4);
            assertThat(stats.requestsTotal()).isEqualTo(4);
            assertThat(stats.requestsRefused()).isZero();
            assertThat(stats.closed()).isEqualTo(4);
            assertThat(stats.bytesIn()).isEqualTo(5 + 8 + 2);
            assertThat(stats.bytesOut()).isEqualTo(5 + 8);
            assertThat(stats.handlerErrors()).isEqualTo(1);
            assertThat(stats.timeouts()).isEqualTo(1);
            assertThat(stats.acceptErrors()).isZero();
            assertThat(stats.tlsHandshakeFailures()).isZero();
            assertThat(stats.proxyRejections()).isZero();
            assertThat(stats.toLine()).startsWith("active 0, accepted 4, requests 4, refused 0, closed 4, bytes in 15, bytes out 13, ")
                    .contains("handler errors 1").contains("timeouts 1");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void statsAreReadableOverJmxUntilClose(Family family) throws Exception {
        var mbeans = ManagementFactory.getPlatformMBeanServer();
        ObjectName name;
        try (var server = family.tcp(Handler.ECHO)) {
            server.start();
            name = server.registerJmx("contract stats " + family.name().toLowerCase());
            assertThat(exchange(server.address(), null, ascii("12345"))).isEqualTo("12345");
            Clients.await("the connection is closed and counted", () -> server.stats().closed() == 1 && server.stats().bytesOut() == 5);
            assertThat(name.toString()).isEqualTo("dev.socketserver:type=Server,name=\"contract stats " + family.name().toLowerCase() + "\"");
            assertThat(mbeans.getAttribute(name, "RequestsTotal")).isEqualTo(1L);
            assertThat(mbeans.getAttribute(name, "BytesIn")).isEqualTo(5L);
            assertThat(mbeans.getAttribute(name, "BytesOut")).isEqualTo(5L);
            assertThat(mbeans.getAttribute(name, "ActiveRequests")).isEqualTo(0);
        }
        assertThat(mbeans.isRegistered(name)).isFalse();
    }
}
