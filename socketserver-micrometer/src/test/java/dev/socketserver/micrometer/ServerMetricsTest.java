package dev.socketserver.micrometer;

import dev.socketserver.ProxyProtocol;
import dev.socketserver.ServerOptions;
import dev.socketserver.ServerStats;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;
import dev.socketserver.internal.proxy.ProxyProtocolException;
import dev.socketserver.junit.TestServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/** The binder publishes every statistic, live: its meters move as a real client connects, sends and leaves. */
@Timeout(30)
class ServerMetricsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    /** Each ServerStats component and the meter that publishes it. */
    private static final Map<String, String> METER_OF_STATISTIC = Map.ofEntries(
            entry("activeRequests", "socketserver.connections.open"),
            entry("accepted", "socketserver.connections.accepted"),
            entry("requestsTotal", "socketserver.requests"),
            entry("requestsRefused", "socketserver.requests.refused"),
            entry("closed", "socketserver.connections.closed"),
            entry("bytesIn", "socketserver.data.received"),
            entry("bytesOut", "socketserver.data.sent"),
            entry("handlerErrors", "socketserver.handler.errors"),
            entry("acceptErrors", "socketserver.accept.errors"),
            entry("timeouts", "socketserver.timeouts"),
            entry("tlsHandshakeFailures", "socketserver.tls.handshake.failures"),
            entry("tlsRenegotiationsRefused", "socketserver.tls.renegotiations.refused"),
            entry("proxyRejections", "socketserver.proxy.rejections"),
            entry("proxyRejectionsByReason", "socketserver.proxy.rejections"),
            entry("truncatedDatagrams", "socketserver.datagrams.truncated"),
            entry("drainQuietCloses", "socketserver.drain.quiet.closes"),
            entry("drainCuts", "socketserver.drain.cuts"),
            entry("writeBufferLimitCloses", "socketserver.write.buffer.limit.closes"),
            entry("repliesDropped", "socketserver.datagram.replies.dropped"));

    @RegisterExtension
    final TestServer echo = TestServer.tcp(conn -> conn.in().transferTo(conn.out()));

    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void everyStatisticHasAMeterTaggedWithTheServer() {
        new ServerMetrics(echo.server(), "echo", Tags.of("zone", "test")).bindTo(registry);
        for (var component : ServerStats.class.getRecordComponents()) {
            String meter = METER_OF_STATISTIC.get(component.getName());
            assertThat(meter).as("a meter for ServerStats.%s", component.getName()).isNotNull();
            assertThat(registry.find(meter).tags("server", "echo", "zone", "test").meters()).as(meter).isNotEmpty();
        }
        assertThat(registry.find("socketserver.data.received").functionCounter().getId().getBaseUnit()).isEqualTo("bytes");
    }

    @Test
    void countersMoveAsAClientConnectsSendsAndLeaves() throws Exception {
        new ServerMetrics(echo.server(), "echo").bindTo(registry);
        assertThat(value("socketserver.connections.accepted")).isZero();

        try (Socket client = new Socket(echo.host(), echo.port())) {
            client.setSoTimeout(5_000);
            client.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
            assertThat(client.getInputStream().readNBytes(5)).asString(StandardCharsets.UTF_8).isEqualTo("hello");
            awaitValue("socketserver.connections.open", 1);
            awaitValue("socketserver.connections.accepted", 1);
            assertThat(value("socketserver.connections.closed")).isZero();
            awaitValue("socketserver.data.received", 5);
            awaitValue("socketserver.data.sent", 5);
        }
        awaitValue("socketserver.connections.open", 0);
        awaitValue("socketserver.connections.closed", 1);
        assertThat(value("socketserver.requests")).isEqualTo(1);
        assertThat(value("socketserver.handler.errors")).isZero();
    }

    @Test
    void proxyRejectionsAreCountedByReasonWithEveryReasonPresentFromTheStart() throws Exception {
        try (TestServer behindProxy = TestServer.tcp(conn -> conn.in().transferTo(conn.out()))
                .withOptions(ServerOptions.builder().proxyProtocol(ProxyProtocol.from("127.0.0.0/8")).build()).start();
             TestServer untrusting = TestServer.tcp(conn -> { })
                .withOptions(ServerOptions.builder().proxyProtocol(ProxyProtocol.from("10.0.0.0/8")).build()).start()) {
            new ServerMetrics(behindProxy.server(), "behind-proxy").bindTo(registry);
            new ServerMetrics(untrusting.server(), "untrusting").bindTo(registry);
            assertThat(registry.find("socketserver.proxy.rejections").tag("server", "behind-proxy").functionCounters())
                    .hasSize(ServerMetrics.PROXY_REJECTION_REASONS.size() + 1);

            sendAndAwaitClose(behindProxy, "GET / HTTP/1.1\r\n\r\n");
            sendAndAwaitClose(untrusting, "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n");

            awaitValue(() -> rejections("behind-proxy", "not_proxy_protocol"), 1);
            awaitValue(() -> rejections("untrusting", "untrusted"), 1);
            assertThat(rejections("behind-proxy", "untrusted")).isZero();
            assertThat(rejections("behind-proxy", "other")).isZero();
        }
    }

    @Test
    void theReasonsAreThoseTheServersCount() {
        var reasons = Stream.concat(Stream.of("untrusted", "timeout", "io"),
                Arrays.stream(ProxyProtocolException.Reason.values()).map(r -> r.name().toLowerCase(Locale.ROOT))).toList();
        assertThat(ServerMetrics.PROXY_REJECTION_REASONS).containsExactlyInAnyOrderElementsOf(reasons);
    }

    @Test
    void aPrometheusScrapeShowsTheEventLoopsCounts() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (TestServer eventLoop = TestServer.asyncTcp(ServerMetricsTest::echoProtocol).start()) {
            new ServerMetrics(eventLoop.server(), "async-echo").bindTo(prometheus);
            try (Socket client = new Socket(eventLoop.host(), eventLoop.port())) {
                client.setSoTimeout(5_000);
                client.getOutputStream().write("0123456789".getBytes(StandardCharsets.UTF_8));
                assertThat(client.getInputStream().readNBytes(10)).hasSize(10);
            }
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            String scrape = prometheus.scrape();
            // the loop counts the echo's bytes as it writes them, and a scrape may come between the client's
            // read and that count: wait for both, as for the close
            while (!(scrape.contains("socketserver_connections_closed_total{server=\"async-echo\"} 1.0")
                    && scrape.contains("socketserver_data_sent_bytes_total{server=\"async-echo\"} 10.0")) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                scrape = prometheus.scrape();
            }
            assertThat(scrape).contains(
                    "socketserver_connections_accepted_total{server=\"async-echo\"} 1.0",
                    "socketserver_connections_closed_total{server=\"async-echo\"} 1.0",
                    "socketserver_connections_open{server=\"async-echo\"} 0.0",
                    "socketserver_data_received_bytes_total{server=\"async-echo\"} 10.0",
                    "socketserver_data_sent_bytes_total{server=\"async-echo\"} 10.0",
                    "socketserver_proxy_rejections_total{reason=\"bad_signature\",server=\"async-echo\"} 0.0",
                    "# HELP socketserver_timeouts_total ");
        }
    }

    private static void sendAndAwaitClose(TestServer server, String text) throws IOException {
        try (Socket client = new Socket(server.host(), server.port())) {
            client.setSoTimeout(5_000);
            client.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            try {
                client.getInputStream().readAllBytes();
            } catch (java.net.SocketException reset) {
                // closed with our bytes unread: a reset is a close too
            }
        }
    }

    private double rejections(String server, String reason) {
        FunctionCounter counter = registry.find("socketserver.proxy.rejections").tags("server", server, "reason", reason).functionCounter();
        assertThat(counter).as("rejections of %s for %s", server, reason).isNotNull();
        return counter.count();
    }

    private double value(String meter) {
        var found = registry.find(meter).tag("server", "echo");
        return meter.equals("socketserver.connections.open") ? found.gauge().value() : found.functionCounter().count();
    }

    private void awaitValue(String meter, double expected) {
        awaitValue(() -> value(meter), expected);
    }

    private static void awaitValue(DoubleSupplier value, double expected) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (value.getAsDouble() != expected) {
            if (System.nanoTime() - deadline > 0) {
                assertThat(value.getAsDouble()).as("within %d ms", DEADLINE.toMillis()).isEqualTo(expected);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static Protocol echoProtocol() {
        return new Protocol() {
            private Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                transport.write(data);
            }
        };
    }
}
