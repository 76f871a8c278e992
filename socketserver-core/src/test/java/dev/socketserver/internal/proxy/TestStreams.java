package dev.socketserver.internal.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Input streams that tell a test how they were read. Not thread-safe. */
final class TestStreams {
    private TestStreams() {
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[] first, byte[] second) {
        byte[] out = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, out, first.length, second.length);
        return out;
    }

    /**
     * A stream over fixed bytes that counts what it hands out and gives at most {@code chunk} bytes per
     * read, as a socket does when the peer's bytes arrive a few at a time.
     */
    static final class Recording extends InputStream {
        private final ByteArrayInputStream in;
        private final int chunk;
        private int delivered;
        private int reads;

        Recording(byte[] bytes) {
            this(bytes, Integer.MAX_VALUE);
        }

        Recording(byte[] bytes, int chunk) {
            this.in = new ByteArrayInputStream(bytes);
            this.chunk = chunk;
        }

        @Override
        public int read() {
            int b = in.read();
            if (b >= 0) {
                delivered++;
            }
            reads++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            reads++;
            int n = in.read(b, off, Math.min(len, chunk));
            if (n > 0) {
                delivered += n;
            }
            return n;
        }

        /** How many bytes have been handed out. */
        int delivered() {
            return delivered;
        }

        /** How many read calls there were. */
        int reads() {
            return reads;
        }

        /** Everything not yet handed out. */
        byte[] rest() {
            return in.readAllBytes();
        }
    }

    /**
     * A peer that has sent {@code bytes} and sends nothing more: reads return what is left, as a socket
     * does, and a read once nothing is left, which would block forever on a socket, fails the test
     * instead. Proof that a reader reached its verdict from these bytes alone.
     */
    static final class Bounded extends InputStream {
        private final byte[] bytes;
        private int position;

        Bounded(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        public int read() throws IOException {
            if (position == bytes.length) {
                throw new AssertionError("read past the " + bytes.length + " bytes the reader should have needed");
            }
            return bytes[position++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (position == bytes.length) {
                throw new AssertionError("read past the " + bytes.length + " bytes the reader should have needed");
            }
            int n = Math.min(len, bytes.length - position);
            System.arraycopy(bytes, position, b, off, n);
            position += n;
            return n;
        }

        int position() {
            return position;
        }
    }
}
