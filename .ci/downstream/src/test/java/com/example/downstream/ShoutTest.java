package com.example.downstream;

import dev.socketserver.junit.TestServer;
import dev.socketserver.micrometer.ServerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The BOM, the core, the test kit and the Micrometer binder, as a user's build has them. */
@Timeout(30)
class ShoutTest {
    @RegisterExtension
    static TestServer server = TestServer.tcp(new Shout()).withLeakCheck();

    @Test
    void shoutsRecordsAndCounts() throws IOException, InterruptedException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new ServerMetrics(server.server(), "shout").bindTo(registry);

        try (Socket client = new Socket(server.host(), server.port())) {
            client.setSoTimeout(5_000);
            client.getOutputStream().write("hello\nbye\n".getBytes(StandardCharsets.UTF_8));
            var in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("HELLO", in.readLine());
            assertEquals("BYE", in.readLine());
        }

        assertEquals("hello\nbye\n", server.takeRequest().awaitEnd().text());
        var closed = registry.find("socketserver.connections.closed").tag("server", "shout").functionCounter();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (closed.count() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);   // polling a counter with a deadline; nothing else to wait on
        }
        assertEquals(1.0, closed.count());
        assertEquals(10.0, registry.find("socketserver.data.received").tag("server", "shout").functionCounter().count());
        assertTrue(server.uri().toString().startsWith("tcp://127.0.0.1:"));
    }
}
