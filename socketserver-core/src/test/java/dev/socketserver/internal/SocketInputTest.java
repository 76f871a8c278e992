package dev.socketserver.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SocketInput}'s buffer: lines, then the rest through {@code transferTo}, nothing lost or doubled. */
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
            assertThat(in.readLine()).isEqualTo("hello");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(in.transferTo(out)).isEqualTo(body.length);
            assertThat(out.toByteArray()).isEqualTo(body);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void transferToOnAnEmptyStreamCopiesNothing() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(new SocketInput(new ByteArrayInputStream(new byte[0])).transferTo(out)).isZero();
        assertThat(out.size()).isZero();
    }
}
