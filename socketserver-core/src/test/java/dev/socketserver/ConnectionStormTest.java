package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md A3, in small: 400 clients connect at once to a server with the JDK's default
 * backlog of 50 and eight platform threads, each request costing 10 ms. Every client gets its
 * whole reply or fails to connect (the kernel drops SYNs while the backlog is full, and clients
 * retry); no client gets part of a reply. The server survives and its descriptors return to
 * where they were.
 */
@Timeout(60)
class ConnectionStormTest {
    private static final int CLIENTS = 400;
    private static final byte[] REPLY = reply();

    @Test
    void everyClientOfAStormGetsItsWholeReplyOrAConnectError() throws Exception {
        int before = Descriptors.baseline();
        var server = new TcpServer(TestServers.loopback(), FunctionHandlers.of((ConnectionHandler) conn -> {
            conn.readLine();
            Thread.sleep(10);   // the work a request costs
            conn.out().write(REPLY);
        }), Concurrency.threads(), ServerOptions.builder().backlog(50).maxConnections(8).build());
        try (Serving<?> _ = TestServers.serve(server)) {
            var address = (InetSocketAddress) server.serverAddress();
            List<Future<String>> outcomes = new ArrayList<>();
            try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CLIENTS; i++) {
                    outcomes.add(clients.submit(() -> oneClient(address)));
                }
            }
            Map<String, Long> counts = new java.util.TreeMap<>();
            for (Future<String> outcome : outcomes) {
                counts.merge(outcome.get(30, TimeUnit.SECONDS), 1L, Long::sum);
            }
            assertThat(counts.keySet()).as("outcomes: %s", counts).isSubsetOf("whole reply", "connect refused", "connect timed out");
            assertThat(counts.get("whole reply")).isPositive();
            assertThat(TestServers.exchange(Transport.TCP, address, "after the storm\n")).hasSize(REPLY.length);
            TestServers.await(DEADLINE, "every request ends", () -> server.activeRequests() == 0);
        }
        assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, Descriptors::open, before)).isLessThanOrEqualTo(before);
    }

    /** One client's outcome: "whole reply", a connect failure, or what went wrong after connecting (a failure of the test). */
    private static String oneClient(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(address, 10_000);
            } catch (ConnectException e) {
                return "connect refused";
            } catch (SocketTimeoutException e) {
                return "connect timed out";
            }
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("request\n".getBytes(StandardCharsets.UTF_8));
            byte[] got;
            try (InputStream in = socket.getInputStream()) {
                got = in.readAllBytes();
            } catch (IOException e) {
                return "failed after connecting: " + e;
            }
            return Arrays.equals(got, REPLY) ? "whole reply" : "partial reply of " + got.length + " bytes";
        }
    }

    private static byte[] reply() {
        byte[] reply = new byte[1024];
        for (int i = 0; i < reply.length; i++) {
            reply[i] = (byte) ('a' + i % 26);
        }
        return reply;
    }
}
