package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.DatagramProtocol;
import dev.socketserver.async.DatagramTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, item 1: an empty datagram is answered with exactly one empty datagram, in every
 * datagram server (blocking UDP and Unix, event-loop UDP and Unix). A send of 0 bytes returns 0,
 * which is not "would block": read as such, the event loop queued the reply and sent it again on
 * every write-ready event, forever (a reflector: one spoofed packet, an endless flood).
 */
@Timeout(30)
class EmptyDatagramReplyTest {
    /** How long the client listens for more after the one reply: more than enough for a flood to show. */
    private static final Duration QUIET = Duration.ofMillis(500);

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @Test
    void theEventLoopAnswersAnEmptyUdpDatagramExactlyOnce() throws Exception {
        try (AsyncServer server = AsyncServer.udp(TestServers.loopback(), new Echo())) {
            server.start();
            try (var client = new UdpClient(server.serverAddress())) {
                client.send(new byte[0]);
                assertThat(client.receivePacket().getLength()).isZero();
                assertThat(udpDatagramsWithin(client, QUIET)).as("datagrams after the one reply").isZero();
                client.send("after".getBytes());
                assertThat(client.receiveWithin(DEADLINE)).as("the server serves on").isEqualTo("after");
            }
            assertThat(server.stats().accepted()).isEqualTo(2);
        }
    }

    @Test
    void theEventLoopAnswersAnEmptyUnixDatagramExactlyOnce() throws Exception {
        UnixAddress address = UnixAddress.of(dir.resolve("a.sock"));
        try (AsyncServer server = AsyncServer.unixgram(address, new Echo());
             var client = UnixDatagramSocket.autobind()) {
            server.start();
            client.send(new byte[0], address);
            assertThat(client.receive(DEADLINE).data()).isEmpty();
            assertThat(unixDatagramsWithin(client, QUIET)).as("datagrams after the one reply").isZero();
        }
    }

    @Test
    void theBlockingUdpServerAnswersAnEmptyDatagramExactlyOnce() throws Exception {
        try (var server = new UdpServer(TestServers.loopback(), d -> d.reply(d.data()));
             Serving<?> _ = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            client.send(new byte[0]);
            assertThat(client.receivePacket().getLength()).isZero();
            assertThat(udpDatagramsWithin(client, QUIET)).as("datagrams after the one reply").isZero();
            assertThat(server.stats().accepted()).isEqualTo(1);
        }
    }

    @Test
    void theBlockingUnixDatagramServerAnswersAnEmptyDatagramExactlyOnce() throws Exception {
        UnixAddress address = UnixAddress.of(dir.resolve("b.sock"));
        try (var server = new UnixDatagramServer(address, d -> d.reply(d.data()));
             Serving<?> _ = TestServers.serve(server);
             var client = UnixDatagramSocket.autobind()) {
            client.send(new byte[0], address);
            assertThat(client.receive(DEADLINE).data()).isEmpty();
            assertThat(unixDatagramsWithin(client, QUIET)).as("datagrams after the one reply").isZero();
        }
    }

    /** Echoes each datagram to its sender. */
    private static final class Echo implements DatagramProtocol {
        private DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport t) {
            transport = t;
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress sender) {
            transport.send(data, sender);
        }
    }

    /** How many datagrams arrive within {@code window} (a bounded wait: the point is that none do). */
    private static int udpDatagramsWithin(UdpClient client, Duration window) throws IOException {
        long end = System.nanoTime() + window.toNanos();
        int count = 0;
        for (long left = window.toNanos(); left > 0; left = end - System.nanoTime()) {
            DatagramPacket packet = client.receivePacketWithin(Duration.ofNanos(left));
            if (packet != null) {
                count++;
            }
        }
        return count;
    }

    private static int unixDatagramsWithin(UnixDatagramSocket client, Duration window) throws IOException {
        long end = System.nanoTime() + window.toNanos();
        int count = 0;
        for (long left = window.toNanos(); left > 0; left = end - System.nanoTime()) {
            try {
                client.receive(Duration.ofNanos(left));
                count++;
            } catch (SocketTimeoutException none) {
                // the window is over
            }
        }
        return count;
    }
}
