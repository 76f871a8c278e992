package dev.socketserver.async;

import dev.socketserver.ServerOptions;
import dev.socketserver.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event loop's bounds on a connection's output: reading pauses while replies are backed up
 * (on by default, off per connection), the write-buffer limit closes a protocol that keeps writing
 * while paused, and small writes are coalesced without losing their order.
 */
@Timeout(60)
class BackpressureTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private AsyncServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    /** Writes every read ten times over, ignoring pauseWriting, with backpressure off: a protocol that writes without limit. */
    static final class Amplifier implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            t.setBackpressure(false);
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            for (int i = 0; i < 10; i++) {
                transport.write(data.duplicate());
            }
        }
    }

    @Test
    void aProtocolThatKeepsWritingWhilePausedIsClosedAtTheLimitAndCounted() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, Amplifier::new, ServerOptions.builder().writeBufferLimit(1024 * 1024).build());
        server.start();
        try (Socket client = new Socket()) {
            client.connect(server.serverAddress());
            client.setSoTimeout((int) DEADLINE.toMillis());
            boolean reset = sendUntilReset(client.getOutputStream(), 64 * 1024 * 1024);
            assertThat(reset).as("the server closed the connection before the client sent 64 MiB").isTrue();
        }
        TestServers.await(DEADLINE, "the close is counted: " + server.stats().toLine(), () -> server.stats().writeBufferLimitCloses() == 1);
        TestServers.await(DEADLINE, "the connection is gone", () -> server.activeRequests() == 0);
        assertThat(server.options().writeBufferLimit()).isEqualTo(1024 * 1024);
    }

    @Test
    void theDefaultLimitIsFourMebibytes() {
        assertThat(ServerOptions.defaults().writeBufferLimit()).isEqualTo(4L * 1024 * 1024).isEqualTo(ServerOptions.DEFAULT_WRITE_BUFFER_LIMIT);
    }

    @Test
    void oneWriteLargerThanTheLimitIsTakenWholeWhenWritingIsNotPaused() throws Exception {
        byte[] big = pattern(8 * 1024 * 1024);
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            @Override
            public void connectionMade(Transport t) {
                t.write(big);
                t.close();
            }

            @Override
            public void dataReceived(ByteBuffer data) {
            }
        }, ServerOptions.builder().writeBufferLimit(1024 * 1024).build());
        server.start();
        try (Socket client = new Socket()) {
            client.connect(server.serverAddress());
            client.setSoTimeout((int) DEADLINE.toMillis());
            assertThat(client.getInputStream().readAllBytes()).isEqualTo(big);
        }
        assertThat(server.stats().writeBufferLimitCloses()).isZero();
    }

    /** Answers each line {@code n} with {@code n\n}: many small writes, one per request. */
    static final class LineNumbers implements Protocol {
        private Transport transport;
        private final StringBuilder line = new StringBuilder();

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            while (data.hasRemaining()) {
                char c = (char) data.get();
                if (c == '\n') {
                    transport.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                    line.setLength(0);
                } else {
                    line.append(c);
                }
            }
        }
    }

    @Test
    void aHundredThousandPipelinedRequestsReadOnlyAfterTheBurstAreAllAnsweredInOrder() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, LineNumbers::new);
        server.start();
        int requests = 100_000;
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            burst.append(i).append('\n');
        }
        byte[] bytes = burst.toString().getBytes(StandardCharsets.US_ASCII);
        try (Socket client = new Socket()) {
            client.connect(server.serverAddress());
            client.setSoTimeout((int) DEADLINE.toMillis());
            client.getOutputStream().write(bytes);   // the whole burst before reading a reply
            client.shutdownOutput();
            byte[] replies = client.getInputStream().readAllBytes();
            assertThat(new String(replies, StandardCharsets.US_ASCII)).isEqualTo(burst.toString());
        }
    }

    @Test
    void manySmallWritesBeyondWhatTheSocketTakesAreQueuedTogetherAndArriveInOrder() throws Exception {
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong queuedAtEnd = new java.util.concurrent.atomic.AtomicLong();
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            @Override
            public void connectionMade(Transport t) {
                int i = 0;
                while (t.writeBufferSize() < 256 * 1024 && i < 5_000_000) {   // until the socket takes no more and writes queue up
                    t.write((i++ + ",").getBytes(StandardCharsets.US_ASCII));
                }
                for (int more = 0; more < 50_000; more++) {   // then many more, a few bytes each, all queued
                    t.write((i++ + ",").getBytes(StandardCharsets.US_ASCII));
                }
                written.set(i);
                queuedAtEnd.set(t.writeBufferSize());
                t.close();
            }

            @Override
            public void dataReceived(ByteBuffer data) {
            }
        });
        server.start();
        try (Socket client = new Socket()) {
            client.connect(server.serverAddress());
            client.setSoTimeout((int) DEADLINE.toMillis());
            TestServers.await(DEADLINE, "the protocol wrote everything before the client reads", () -> written.get() > 0);
            String[] numbers = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split(",");
            assertThat(queuedAtEnd.get()).as("bytes queued when the protocol stopped writing").isGreaterThan(256 * 1024);
            assertThat(numbers).hasSize(written.get());
            for (int i = 0; i < numbers.length; i++) {
                if (!numbers[i].equals(Integer.toString(i))) {
                    throw new AssertionError("reply " + i + " is " + numbers[i]);
                }
            }
        }
    }

    @Test
    void aClientThatReadsSlowlyGetsEveryByteInOrderThroughPausesAndResumes() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, AsyncServerTest.Echo::new);
        server.start();
        byte[] sent = pattern(24 * 1024 * 1024);
        try (Socket client = new Socket()) {
            client.connect(server.serverAddress());
            client.setSoTimeout((int) DEADLINE.toMillis());
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    out.write(sent);
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            InputStream in = client.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream(sent.length);
            byte[] small = new byte[4096];
            int n;
            while ((n = in.read(small)) >= 0) {
                received.write(small, 0, n);
            }
            writer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat(received.toByteArray()).isEqualTo(sent);
        }
    }

    private static boolean sendUntilReset(OutputStream out, int total) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        try {
            for (int sent = 0; sent < total; sent += chunk.length) {
                out.write(chunk);
            }
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private static byte[] pattern(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 31 + (i >>> 11));
        }
        return data;
    }
}
