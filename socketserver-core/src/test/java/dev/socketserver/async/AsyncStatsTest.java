package dev.socketserver.async;

import dev.socketserver.LogCapture;
import dev.socketserver.ServerStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.socketserver.async.AsyncServerTest.await;
import static dev.socketserver.async.AsyncServerTest.connect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What only the event loop counts or says: datagrams and their bytes on its UDP server, and a
 * protocol callback that threw, logged by name. The counters of a TCP server of either family, and
 * JMX, are the contract suite's ({@code contract.StatsContractTest}).
 */
@Timeout(30)
class AsyncStatsTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private AsyncServer server;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aCallbackThatThrewIsCountedAndLoggedNamingTheCallback() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                throw new IllegalStateException("asked to fail");
            }
        });
        server.start();
        try (var capture = new LogCapture()) {
            try (Socket failing = connect(server.serverAddress())) {
                failing.getOutputStream().write("!x".getBytes(StandardCharsets.UTF_8));
                assertThat(failing.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(await(Duration.ofSeconds(5), () -> server.stats().handlerErrors() == 1)).isTrue();
            assertThat(capture.entries()).anySatisfy(e -> assertThat(e.message()).contains("dataReceived threw"));
        }
    }

    @Test
    void udpCountsDatagramsAndTheirBytes() throws Exception {
        server = AsyncServer.udp(LOOPBACK, new DatagramProtocol() {
            DatagramTransport transport;

            @Override
            public void connectionMade(DatagramTransport t) {
                transport = t;
            }

            @Override
            public void datagramReceived(ByteBuffer data, java.net.SocketAddress sender) {
                transport.send(data, sender);
            }
        });
        server.start();
        try (var client = new java.net.DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(5_000);
            for (String text : new String[] {"one", "three"}) {
                byte[] payload = text.getBytes(StandardCharsets.UTF_8);
                client.send(new java.net.DatagramPacket(payload, payload.length, server.serverAddress()));
                client.receive(new java.net.DatagramPacket(new byte[64], 64));
            }
        }
        // the reply can arrive before the loop counts it: poll
        assertThat(await(Duration.ofSeconds(5), () -> server.stats().bytesOut() == 8)).isTrue();
        ServerStats stats = server.stats();
        assertThat(stats.requestsTotal()).isEqualTo(2);
        assertThat(stats.bytesIn()).isEqualTo(8);
        assertThat(stats.bytesOut()).isEqualTo(8);
    }
}
