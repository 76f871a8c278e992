package dev.socketserver.async;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 connections open at once to the event-loop echo server, each echoed ten times byte for
 * byte. The clients run in a child JVM: one process may hold at most 20,000 descriptors here.
 */
@Timeout(150)
class AsyncTenThousandConnectionsTest {
    private static final int CONNECTIONS = 10_000;

    @Test
    void tenThousandConcurrentConnectionsAreEchoedCorrectly() throws Exception {
        try (AsyncServer server = AsyncServer.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), AsyncServerTest.Echo::new)) {
            server.start();
            var address = (InetSocketAddress) server.serverAddress();
            String javaCommand = ProcessHandle.current().info().command().orElseThrow();
            Process client = new ProcessBuilder(List.of(javaCommand, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    EchoLoadClient.class.getName(), "127.0.0.1", Integer.toString(address.getPort()), Integer.toString(CONNECTIONS)))
                    .redirectErrorStream(true).start();
            try {
                String output;
                try (var reader = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
                    output = String.join("\n", reader.lines().toList());
                }
                assertThat(client.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(output).isEqualTo("ok " + CONNECTIONS);
                assertThat(client.exitValue()).isZero();
            } finally {
                client.destroyForcibly();
            }
            assertThat(AsyncServerTest.await(java.time.Duration.ofSeconds(10), () -> server.activeRequests() == 0)).isTrue();
        }
    }
}
