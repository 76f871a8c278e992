package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md D2 to D4 on the blocking datagram servers: empty datagrams, replies to a client
 * that is gone, and a flood against a bounded server.
 */
@Timeout(30)
class DatagramEdgeCasesTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    /** D2 (a): two empty datagrams each run the handler with an empty payload, and an empty reply reaches the sender. */
    @Test
    void emptyDatagramsAreHandledAndAnsweredWithEmptyDatagrams() throws Exception {
        AtomicInteger empties = new AtomicInteger();
        try (var server = new UdpServer(TestServers.loopback(), d -> {
                 if (d.data().length == 0) {
                     empties.incrementAndGet();
                 }
                 d.reply(d.data());
             });
             Serving<?> _ = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            for (int i = 0; i < 2; i++) {
                client.send(new byte[0]);
                DatagramPacket reply = client.receivePacket();
                assertThat(reply.getLength()).isZero();
                assertThat(reply.getSocketAddress()).isEqualTo(server.serverAddress());
            }
            assertThat(empties.get()).isEqualTo(2);
        }
    }

    @Test
    void emptyUnixDatagramsAreHandledAndAnsweredToo() throws Exception {
        UnixAddress address = UnixAddress.of(dir.resolve("e.sock"));
        try (var server = new UnixDatagramServer(address, d -> d.reply(d.data()));
             Serving<?> _ = TestServers.serve(server);
             var client = UnixDatagramSocket.autobind()) {
            for (int i = 0; i < 2; i++) {
                client.send(new byte[0], address);
                assertThat(client.receive(DEADLINE).data()).isEmpty();
            }
        }
    }

    /** D4: the reply goes to a UDP port nobody listens on any more (ICMP port unreachable); the server serves on, quietly. */
    @Test
    void aReplyToAClosedUdpPortIsNoErrorAndServingGoesOn() throws Exception {
        CountDownLatch clientGone = new CountDownLatch(1);
        try (var log = new LogCapture();
             var server = new UdpServer(TestServers.loopback(), d -> {
                 if (new String(d.data(), StandardCharsets.UTF_8).equals("wait")) {
                     clientGone.await();
                 }
                 d.reply(d.data());
             });
             Serving<?> _ = TestServers.serve(server)) {
            try (var leaving = new UdpClient(server.serverAddress())) {
                leaving.send("wait");
                TestServers.await(DEADLINE, "the request runs", () -> server.activeRequests() == 1);
            }
            clientGone.countDown();
            TestServers.await(DEADLINE, "the reply is sent", () -> server.activeRequests() == 0);
            try (var next = new UdpClient(server.serverAddress())) {
                for (int i = 0; i < 3; i++) {   // the ICMP error, if the socket kept it, would surface on a later call
                    next.send("ping " + i);
                    assertThat(next.receive()).isEqualTo("ping " + i);
                }
            }
            assertThat(server.stats().handlerErrors()).isZero();
            assertThat(log.errorBlocks()).isEmpty();
        }
    }

    /**
     * D4 for Unix datagrams: the sender's socket file is gone, so the reply fails with a
     * {@link java.net.PortUnreachableException}; that request fails alone, as a client that went
     * away (counted, one DEBUG line, no error block).
     */
    @Test
    void aReplyToAUnixSenderThatIsGoneFailsThatRequestOnly() throws Exception {
        UnixAddress address = UnixAddress.of(dir.resolve("g.sock"));
        CountDownLatch clientGone = new CountDownLatch(1);
        try (var log = new LogCapture();
             var server = new UnixDatagramServer(address, d -> {
                 if (new String(d.data(), StandardCharsets.UTF_8).equals("wait")) {
                     clientGone.await();
                 }
                 d.reply(d.data());
             });
             Serving<?> _ = TestServers.serve(server)) {
            try (var leaving = UnixDatagramSocket.bind(UnixAddress.of(dir.resolve("leaving.sock")))) {
                leaving.send("wait".getBytes(StandardCharsets.UTF_8), address);
                TestServers.await(DEADLINE, "the request runs", () -> server.activeRequests() == 1);
            }
            clientGone.countDown();
            TestServers.await(DEADLINE, "the request ends", () -> server.activeRequests() == 0);
            try (var next = UnixDatagramSocket.autobind()) {
                next.send("ping".getBytes(StandardCharsets.UTF_8), address);
                assertThat(new String(next.receive(DEADLINE).data(), StandardCharsets.UTF_8)).isEqualTo("ping");
            }
            assertThat(server.stats().handlerErrors()).isEqualTo(1);
            assertThat(log.errorBlocks()).isEmpty();
            assertThat(log.entries()).as("DEBUG only, below the default level").isEmpty();
        }
    }

    /**
     * D3 in small: 20,000 datagrams as fast as the client can send them at a server that takes
     * 1 ms per datagram with at most two at once. The server holds at most two (the rest wait in
     * the socket's buffer or are dropped by the kernel), and answers a probe soon after.
     */
    @Test
    void aFloodAgainstABoundedServerStaysWithinTheBoundAndAProbeIsAnsweredAfter() throws Exception {
        AtomicInteger most = new AtomicInteger();
        AtomicInteger now = new AtomicInteger();
        AtomicLong handled = new AtomicLong();
        DatagramHandler oneMillisecond = d -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(1);   // the work each datagram costs
            } finally {
                now.decrementAndGet();
                handled.incrementAndGet();
            }
            if (new String(d.data(), StandardCharsets.UTF_8).equals("probe")) {
                d.reply(d.data());
            }
        };
        try (var server = new UdpServer(TestServers.loopback(), oneMillisecond, Concurrency.bounded(2));
             Serving<?> _ = TestServers.serve(server);
             var flooder = new UdpClient(server.serverAddress());
             var prober = new UdpClient(server.serverAddress())) {
            byte[] payload = new byte[64];
            for (int i = 0; i < 20_000; i++) {
                flooder.send(payload);
            }
            long start = System.nanoTime();
            String answer = null;
            while (answer == null && TestServers.since(start).compareTo(Duration.ofSeconds(5)) < 0) {
                prober.send("probe");   // a probe may be dropped with the flood while the socket's buffer is full
                answer = prober.receiveWithin(Duration.ofMillis(200));
            }
            assertThat(answer).isEqualTo("probe");
            assertThat(TestServers.since(start)).isLessThan(Duration.ofSeconds(3));
            assertThat(most.get()).as("requests running at once").isLessThanOrEqualTo(2);
            assertThat(handled.get()).isPositive();
        }
    }
}
