package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** 2,000 clients connected at once to a virtual-thread echo server all get their own bytes back. */
@Timeout(60)
class ManyConcurrentConnectionsTest {
    private static final int CLIENTS = 2_000;

    @Test
    void twoThousandConcurrentClientsAllGetTheirBytesBack() throws Exception {
        try (var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                conn -> conn.in().transferTo(conn.out()))) {
            Thread serving = Thread.ofPlatform().name("serving").start(() -> EchoRoundTripTest.serve(server));
            var address = (InetSocketAddress) server.serverAddress();
            // every client connects and writes first; only when all are connected do they read, so
            // the server really holds 2,000 connections at once
            CountDownLatch allConnected = new CountDownLatch(CLIENTS);
            List<Future<String>> replies = new ArrayList<>();
            try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CLIENTS; i++) {
                    String message = "client " + i + " says hello\n";
                    replies.add(clients.submit(() -> roundTrip(address, message, allConnected)));
                }
                for (int i = 0; i < CLIENTS; i++) {
                    assertThat(replies.get(i).get(50, TimeUnit.SECONDS)).isEqualTo("client " + i + " says hello\n");
                }
            }
            assertThat(server.activeRequests()).isLessThanOrEqualTo(CLIENTS);
            server.shutdown();
            serving.join(5_000);
            assertThat(serving.isAlive()).isFalse();
        }
    }

    private static String roundTrip(InetSocketAddress address, String message, CountDownLatch allConnected)
            throws IOException, InterruptedException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(message.getBytes(StandardCharsets.UTF_8));
            allConnected.countDown();
            allConnected.await(30, TimeUnit.SECONDS);
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
