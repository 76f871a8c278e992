package dev.socketserver.internal;

import dev.socketserver.internal.framing.FrameReads;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SocketInput}'s buffer: lines, then the rest through {@code transferTo}, nothing lost or
 * doubled; small while the connection is quiet; one read a message in a bulk exchange.
 */
class SocketInputTest {
    /** Gives at most {@code chunk} bytes per read, as a socket does. */
    private static InputStream trickle(byte[] data, int chunk) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    /** A client connected to a loopback listener, and the server's side of the connection. */
    private record LoopbackPair(ServerSocket listener, Socket client, Socket accepted) implements AutoCloseable {
        static LoopbackPair open() throws IOException {
            ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Socket client = null;
            try {
                client = new Socket(listener.getInetAddress(), listener.getLocalPort());
                return new LoopbackPair(listener, client, listener.accept());
            } catch (IOException e) {
                try (listener; Socket _ = client) {
                    throw e;
                }
            }
        }

        @Override
        public void close() throws IOException {
            try (listener; client; accepted) {
                // closes all three, the last first
            }
        }
    }

    @Test
    void transferToAfterAReadLineCopiesTheBufferedRestAndThenTheStreamExactly() throws Exception {
        byte[] body = new byte[100_000];
        new Random(7).nextBytes(body);
        byte[] data = new byte[6 + body.length];
        System.arraycopy("hello\n".getBytes(), 0, data, 0, 6);
        System.arraycopy(body, 0, data, 6, body.length);
        for (int chunk : new int[] {1, 7, 4096, 8192, 65_536}) {
            SocketInput in = new SocketInput(trickle(data, chunk));
            assertThat(FrameReads.readLine(in, 65_536)).isEqualTo("hello");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(in.transferTo(out)).isEqualTo(body.length);
            assertThat(out.toByteArray()).isEqualTo(body);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aBurstGrowsTheBufferAndAQuietConnectionGivesItBack() throws Exception {
        try (LoopbackPair pair = LoopbackPair.open()) {
            Socket client = pair.client();
            Socket accepted = pair.accepted();
            SocketInput in = new SocketInput(accepted.getInputStream());
            accepted.setSoTimeout(5_000);
            byte[] burst = new byte[64 * 1024];   // what the kernel's buffers take at once, so the write returns
            client.getOutputStream().write(burst);
            for (int i = 0; i < burst.length; i++) {
                assertThat(in.read()).isZero();   // one byte at a time: every refill goes through the buffer
            }
            assertThat(in.bufferCapacity()).as("grown by the burst").isEqualTo(LargeBuffers.SIZE);

            accepted.setSoTimeout(100);
            assertThatThrownBy(in::read).as("nothing more comes").isInstanceOf(SocketTimeoutException.class);
            assertThat(in.bufferCapacity()).as("given back once the read timed out").isEqualTo(SocketInput.INITIAL_BUFFER);

            client.getOutputStream().write("after\n".getBytes());
            accepted.setSoTimeout(5_000);
            assertThat(FrameReads.readLine(in, 65_536)).isEqualTo("after");
        }
    }

    /** The reads and questions that reach the socket's stream. */
    private static final class RecordingInput extends FilterInputStream {
        final List<Integer> readLengths = new ArrayList<>();
        int availableCalls;

        RecordingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            readLengths.add(len);
            return super.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            availableCalls++;
            return super.available();
        }

        void forget() {
            readLengths.clear();
            availableCalls = 0;
        }
    }

    /** Sends {@code count} messages of {@code size} bytes, one at a time: each is sent once the last is consumed. */
    private static void exchange(Socket client, SocketInput in, int count, int size) throws IOException {
        byte[] message = new byte[size];
        for (int m = 0; m < count; m++) {
            Arrays.fill(message, (byte) m);
            client.getOutputStream().write(message);
            for (int i = 0; i < size; i++) {
                assertThat(in.read()).isEqualTo(m & 0xff);
            }
        }
    }

    @Test
    void inABulkExchangeEachMessageIsOneReadIntoTheLargeBuffer() throws Exception {
        try (LoopbackPair pair = LoopbackPair.open()) {
            Socket client = pair.client();
            Socket accepted = pair.accepted();
            accepted.setSoTimeout(5_000);
            RecordingInput raw = new RecordingInput(accepted.getInputStream());
            SocketInput in = new SocketInput(raw);
            exchange(client, in, 1, 16 * 1024);
            raw.forget();

            exchange(client, in, 8, 16 * 1024);
            assertThat(raw.availableCalls).as("no question how much is waiting").isZero();
            assertThat(raw.readLengths).as("each message read whole into the large buffer").hasSize(8)
                    .allMatch(length -> length == LargeBuffers.SIZE);
            assertThat(LargeBuffers.waitingNow()).as("places given back after each wait").isZero();

            raw.forget();
            exchange(client, in, 2, 100);
            assertThat(raw.readLengths).as("a small message ends the bulk exchange: the next waits in the small buffer")
                    .containsExactly(LargeBuffers.SIZE, SocketInput.INITIAL_BUFFER);
            assertThat(in.bufferCapacity()).isEqualTo(SocketInput.INITIAL_BUFFER);
        }
    }

    @Test
    void whenEveryPlaceIsTakenABulkConnectionWaitsInItsSmallBuffer() throws Exception {
        int taken = 0;
        while (LargeBuffers.enterWaiting()) {
            taken++;
        }
        try (LoopbackPair pair = LoopbackPair.open()) {
            Socket client = pair.client();
            Socket accepted = pair.accepted();
            assertThat(taken).isPositive();
            accepted.setSoTimeout(5_000);
            RecordingInput raw = new RecordingInput(accepted.getInputStream());
            SocketInput in = new SocketInput(raw);
            exchange(client, in, 1, 16 * 1024);
            raw.forget();

            exchange(client, in, 4, 16 * 1024);
            assertThat(raw.readLengths).as("each message waited for in the small buffer").filteredOn(length -> length == SocketInput.INITIAL_BUFFER)
                    .hasSize(4);
            assertThat(raw.availableCalls).as("and the rest asked for").isEqualTo(4);
        } finally {
            for (int i = 0; i < taken; i++) {
                LargeBuffers.leaveWaiting();
            }
        }
    }

    @Test
    void transferToOnAnEmptyStreamCopiesNothing() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(new SocketInput(new ByteArrayInputStream(new byte[0])).transferTo(out)).isZero();
        assertThat(out.size()).isZero();
    }
}
