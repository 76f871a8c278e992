package dev.socketserver.async;

import dev.socketserver.LogCapture;
import dev.socketserver.ServerStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.socketserver.async.AsyncServerTest.await;
import static dev.socketserver.async.AsyncServerTest.connect;
import static dev.socketserver.async.AsyncServerTest.tcpRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;

/** The event-loop server's counters agree with what the clients did, and are readable over JMX until close. */
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
    void countsConnectionsBytesAndCallbacksThatThrew() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                if (data.get(data.position()) == '!') {
                    throw new IllegalStateException("asked to fail");
                }
                transport.write(data);
            }
        });
        server.setEventLoops(2);
        server.start();
        ObjectName name = server.registerJmx("async stats test");
        try (var capture = new LogCapture()) {
            assertThat(tcpRoundTrip(server.serverAddress(), "hello")).isEqualTo("hello");
            assertThat(tcpRoundTrip(server.serverAddress(), "12345678")).isEqualTo("12345678");
            try (Socket failing = connect(server.serverAddress())) {
                failing.getOutputStream().write("!x".getBytes(StandardCharsets.UTF_8));
                assertThat(failing.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(await(Duration.ofSeconds(5), () -> server.activeRequests() == 0)).isTrue();
            assertThat(capture.entries()).anySatisfy(e -> assertThat(e.message()).contains("dataReceived threw"));
        }
        assertThat(await(Duration.ofSeconds(5), () -> server.stats().bytesOut() == 13)).isTrue();
        ServerStats stats = server.stats();
        assertThat(stats.activeRequests()).isZero();
        assertThat(stats.requestsTotal()).isEqualTo(3);
        assertThat(stats.bytesIn()).isEqualTo(5 + 8 + 2);
        assertThat(stats.bytesOut()).isEqualTo(5 + 8);
        assertThat(stats.handlerErrors()).isEqualTo(1);
        assertThat(stats.acceptErrors()).isZero();

        var mbeans = ManagementFactory.getPlatformMBeanServer();
        assertThat(name.toString()).isEqualTo("dev.socketserver:type=Server,name=\"async stats test\"");
        assertThat(mbeans.getAttribute(name, "RequestsTotal")).isEqualTo(3L);
        assertThat(mbeans.getAttribute(name, "BytesOut")).isEqualTo(13L);
        assertThat(mbeans.getAttribute(name, "ActiveRequests")).isEqualTo(0);
        server.close();
        assertThat(mbeans.isRegistered(name)).isFalse();
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
