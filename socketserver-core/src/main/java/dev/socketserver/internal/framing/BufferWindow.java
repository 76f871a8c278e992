package dev.socketserver.internal.framing;

import java.io.IOException;
import java.io.InputStream;

/**
 * A buffered input that lets a frame reader scan its buffer in place, instead of taking bytes one
 * {@code read()} at a time: what a connection's buffered input offers {@link FrameReads}. The
 * reader never takes a byte past the frame's end, so whatever reads the stream next (the
 * connection's {@code in()}, or another frame read) goes on where the frame ended.
 *
 * <p>An input that is not one is read through a window of one byte ({@link #of}).
 */
public interface BufferWindow {

    /**
     * How many bytes are buffered and not yet consumed; when there are none, first reads more
     * from the layer below, blocking until some arrive.
     *
     * @return the bytes buffered, from {@link #windowStart()} in {@link #windowArray()}; 0 only at end of stream
     */
    int window() throws IOException;

    /** The array the buffered bytes are in; valid until the next {@link #window()} or {@link #consume}. */
    byte[] windowArray();

    /** Where the buffered bytes start in {@link #windowArray()}. */
    int windowStart();

    /** Consumes the first {@code n} of the buffered bytes, at most what {@link #window()} returned. */
    void consume(int n);

    /** {@code in} itself if it is a window, else a window of one byte over {@code in}. */
    static BufferWindow of(InputStream in) {
        return in instanceof BufferWindow window ? window : new OneByteWindow(in);
    }

    /** A window that holds one byte read with {@code read()}: never takes more from the stream than a frame reader consumes. */
    final class OneByteWindow implements BufferWindow {
        private final InputStream in;
        private final byte[] one = new byte[1];
        private boolean full;

        OneByteWindow(InputStream in) {
            this.in = in;
        }

        @Override
        public int window() throws IOException {
            if (!full) {
                int b = in.read();
                if (b < 0) {
                    return 0;
                }
                one[0] = (byte) b;
                full = true;
            }
            return 1;
        }

        @Override
        public byte[] windowArray() {
            return one;
        }

        @Override
        public int windowStart() {
            return 0;
        }

        @Override
        public void consume(int n) {
            if (n > 0) {
                full = false;
            }
        }
    }
}
