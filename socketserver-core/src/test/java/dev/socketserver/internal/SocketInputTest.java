package dev.socketserver.internal;

import dev.socketserver.internal.framing.FrameReads;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SocketInput}'s buffer: lines, then the rest through {@code transferTo}, nothing lost or
 * doubled; small while the connection is quiet.
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
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
             Socket accepted = listener.accept()) {
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
            assertThat(in.bufferCapacity()).as("given back before waiting").isEqualTo(SocketInput.INITIAL_BUFFER);

            client.getOutputStream().write("after\n".getBytes());
            accepted.setSoTimeout(5_000);
            assertThat(FrameReads.readLine(in, 65_536)).isEqualTo("after");
        }
    }

    @Test
    void transferToOnAnEmptyStreamCopiesNothing() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(new SocketInput(new ByteArrayInputStream(new byte[0])).transferTo(out)).isZero();
        assertThat(out.size()).isZero();
    }
}
