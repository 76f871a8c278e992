package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.management.ObjectName;

import static org.assertj.core.api.Assertions.assertThat;

/** Server statistics are readable over JMX while the server runs, and gone once it is closed. */
@Timeout(20)
class JmxStatsTest {

    @Test
    void statsAreReadableOverJmxUntilClose() throws Exception {
        var mbeans = ManagementFactory.getPlatformMBeanServer();
        ObjectName name;
        try (var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                conn -> conn.in().transferTo(conn.out()), Concurrency.synchronous())) {
            name = server.registerJmx("echo test");
            Thread serving = Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            try (Socket client = new Socket()) {
                client.connect(server.serverAddress(), 5_000);
                client.setSoTimeout(5_000);
                client.getOutputStream().write("12345".getBytes(StandardCharsets.UTF_8));
                client.shutdownOutput();
                client.getInputStream().readAllBytes();
            }
            ResourcesReturnToBaselineTest.awaitAtMost(java.time.Duration.ofSeconds(5), () -> server.activeRequests() == 0);
            assertThat(name.toString()).isEqualTo("dev.socketserver:type=Server,name=\"echo test\"");
            assertThat(mbeans.getAttribute(name, "RequestsTotal")).isEqualTo(1L);
            assertThat(mbeans.getAttribute(name, "BytesIn")).isEqualTo(5L);
            assertThat(mbeans.getAttribute(name, "BytesOut")).isEqualTo(5L);
            server.shutdown();
            serving.join(5_000);
        }
        assertThat(mbeans.isRegistered(name)).isFalse();
    }
}
