package dev.socketserver.async;

import dev.socketserver.ServerOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replies an event-loop datagram socket holds for sending are bounded by the write-buffer
 * limit: replies sent from another thread while the loop is busy wait for it up to the limit, the
 * rest are dropped and counted, and those that waited are sent.
 */
@Timeout(30)
class DatagramReplyQueueTest {
    private static final int LIMIT = 64 * 1024;
    private static final int REPLY = 1024;
    private static final int REPLIES = 1_000;

    @Test
    void repliesBeyondTheLimitAreDroppedAndCounted() throws Exception {
        CompletableFuture<DatagramTransport> transport = new CompletableFuture<>();
        CountDownLatch loopBusy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ServerOptions options = ServerOptions.builder().writeBufferLimit(LIMIT).build();
        try (AsyncServer server = AsyncServer.udp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new DatagramProtocol() {
            @Override
            public void connectionMade(DatagramTransport t) {
                transport.complete(t);
            }

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                loopBusy.countDown();
                try {
                    release.await();   // holds the loop, so replies from other threads wait for it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, options);
             DatagramChannel client = DatagramChannel.open()) {
            server.start();
            client.setOption(StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
            client.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client.send(ByteBuffer.wrap(new byte[] {1}), server.serverAddress());
            assertThat(loopBusy.await(5, TimeUnit.SECONDS)).isTrue();

            DatagramTransport replies = transport.get(5, TimeUnit.SECONDS);
            for (int i = 0; i < REPLIES; i++) {
                replies.send(ByteBuffer.allocate(REPLY), client.getLocalAddress());
            }
            int kept = LIMIT / REPLY;
            assertThat(server.stats().repliesDropped()).isEqualTo(REPLIES - kept);

            release.countDown();
            client.configureBlocking(true);
            client.socket().setSoTimeout(5_000);
            for (int i = 0; i < kept; i++) {
                assertThat(receive(client)).as("reply %d", i).isEqualTo(REPLY);
            }
        }
    }

    private static int receive(DatagramChannel client) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[REPLY * 2], REPLY * 2);
        client.socket().receive(packet);   // the adaptor's receive honours the timeout
        return packet.getLength();
    }
}
