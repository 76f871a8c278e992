package dev.socketserver.async;

import dev.socketserver.ServerOptions;
import dev.socketserver.TestCertificates;
import dev.socketserver.TlsOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLSocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backpressure under a {@link FrameProtocol}: while a connection's replies are backed up above the
 * high-water mark, the frames a read brought are held, not handed over, and are handed over in
 * order once the replies drain. So a client that pipelines a burst and reads afterwards gets every
 * reply in order, and one that never reads cannot make the server buffer more than the water mark
 * and a reply, nor read more than the kernel's buffers hold.
 */
@Timeout(120)
class FramingBackpressureTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private AsyncServer server;

    /** Answers each line with a reply of {@code replySize} bytes that starts with the line; records the pauses and the largest write buffer. */
    static final class Replier implements FrameProtocol {
        static final AtomicInteger pauses = new AtomicInteger();
        static final AtomicLong mostBuffered = new AtomicLong();
        private final int replySize;
        private Transport transport;

        Replier(int replySize) {
            this.replySize = replySize;
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void frameReceived(ByteBuffer line) {
            byte[] reply = new byte[replySize];
            java.util.Arrays.fill(reply, (byte) ' ');
            int length = line.remaining();
            line.get(reply, 0, Math.min(length, replySize - 1));
            reply[replySize - 1] = '\n';
            transport.write(reply);
            mostBuffered.accumulateAndGet(transport.writeBufferSize(), Math::max);
        }

        @Override
        public void pauseWriting() {
            pauses.incrementAndGet();
        }
    }

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aClientThatPipelinesAHundredThousandRequestsAndReadsAfterwardsGetsEveryReplyInOrder() throws Exception {
        int replySize = 100;   // 10 MB of replies: more than the kernel's buffers hold while the client does not read
        server = AsyncServer.tcp(LOOPBACK, FrameProtocol.framedBy(Framer.lines(16), () -> new Replier(replySize)));
        server.start();
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(32 * 1024);
            client.connect(server.serverAddress(), 5_000);
            pipelineThenRead(client, 100_000, replySize);
        }
    }

    @Test
    void underTlsTooTheHeldPlaintextIsHandedOverBeforeTheRecordsThatFollowIt() throws Exception {
        int replySize = 500;
        server = AsyncServer.tcp(LOOPBACK, FrameProtocol.framedBy(Framer.lines(16), () -> new Replier(replySize)),
                ServerOptions.builder().tls(TlsOptions.of(TestCertificates.serverContext())).build());
        server.start();
        var address = (InetSocketAddress) server.serverAddress();
        try (Socket plain = new Socket()) {
            plain.setReceiveBufferSize(32 * 1024);
            plain.connect(address, 5_000);
            try (SSLSocket client = (SSLSocket) TestCertificates.clientContext(false).getSocketFactory()
                    .createSocket(plain, address.getHostString(), address.getPort(), true)) {
                client.startHandshake();
                pipelineThenRead(client, 20_000, replySize);
            }
        }
    }

    /**
     * Sends {@code requests} numbered lines in one write, waits until the server's replies have
     * backed up (so frames it had read were held), then reads every reply and checks its number.
     */
    private static void pipelineThenRead(Socket client, int requests, int replySize) throws Exception {
        Replier.pauses.set(0);
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            burst.append(i).append('\n');
        }
        client.setSoTimeout(30_000);
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
                client.getOutputStream().write(burst.toString().getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        sent.get(30, TimeUnit.SECONDS);   // all of it is sent before a byte is read
        assertThat(AsyncServerTest.await(Duration.ofSeconds(20), () -> Replier.pauses.get() > 0))
                .as("the replies back up, so the frames read meanwhile are held").isTrue();
        InputStream in = client.getInputStream();
        for (int i = 0; i < requests; i++) {
            byte[] reply = in.readNBytes(replySize);
            assertThat(new String(reply, StandardCharsets.US_ASCII).strip()).as("reply %d", i).isEqualTo(Integer.toString(i));
        }
    }

    @Test
    void framesAlreadyReadAreHeldWhileRepliesAreBackedUpSoAClientThatNeverReadsCostsTheWaterMark() throws Exception {
        int replySize = 1024;
        server = AsyncServer.tcp(LOOPBACK, FrameProtocol.framedBy(Framer.lines(16), () -> new Replier(replySize)));
        server.start();
        Replier.mostBuffered.set(0);
        try (SocketChannel greedy = SocketChannel.open(server.serverAddress())) {
            long sent = sendLinesUntilStalled(greedy);
            // each read of 64 KiB brings 32,768 requests, 32 MiB of replies: handed over at once they would pass the write-buffer limit
            assertThat(Replier.mostBuffered.get()).as("the write buffer, at most")
                    .isLessThanOrEqualTo(ServerOptions.DEFAULT_HIGH_WATER_MARK + replySize);
            assertThat(server.stats().bytesIn()).as("what the server read of the %d bytes sent", sent).isLessThan(24L * 1024 * 1024);
            assertThat(greedy.isOpen()).isTrue();
            try (Socket other = AsyncServerTest.connect(server.serverAddress())) {
                other.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(other.getInputStream().readNBytes(replySize), StandardCharsets.US_ASCII).strip()).isEqualTo("hello");
            }
        }
    }

    @Test
    void aProtocolThatPausesReadingAfterEachFrameGetsTheRestOfTheReadInOrderWhenItResumes() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, FrameProtocol.framedBy(Framer.lines(16), () -> new FrameProtocol() {
            Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
            }

            @Override
            public void frameReceived(ByteBuffer line) {
                transport.write(ByteBuffer.wrap(("[" + StandardCharsets.US_ASCII.decode(line) + "]").getBytes(StandardCharsets.US_ASCII)));
                transport.pauseReading();
                transport.loop().execute(transport::resumeReading);
            }
        }));
        server.start();
        StringBuilder lines = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            lines.append(i).append('\n');
            expected.append('[').append(i).append(']');
        }
        try (Socket client = AsyncServerTest.connect(server.serverAddress())) {
            client.getOutputStream().write(lines.toString().getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
        }
    }

    /** Sends {@code "x\n"} lines without reading until a send makes no progress for 1.5 s; returns the bytes sent. */
    private static long sendLinesUntilStalled(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024);
        while (chunk.hasRemaining()) {
            chunk.put((byte) 'x').put((byte) '\n');
        }
        long sent = 0;
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_WRITE);
            while (sent < 96L * 1024 * 1024) {
                if (!chunk.hasRemaining()) {
                    chunk.clear();
                }
                int n = channel.write(chunk);
                sent += n;
                if (n == 0) {
                    selector.selectedKeys().clear();
                    if (selector.select(1_500) == 0) {
                        return sent;
                    }
                }
            }
        }
        return sent;
    }
}
