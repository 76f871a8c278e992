package dev.socketserver.internal;

import dev.socketserver.internal.framing.BufferWindow;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The buffered input of a connection: a plain {@link InputStream} whose buffer the frame readers
 * scan in place ({@link BufferWindow}), without locks (one reader at a time). Closing it does not close the connection.
 */
public final class SocketInput extends InputStream implements BufferWindow {

    /** The buffer a connection waits with: small, since an idle connection holds it. */
    static final int INITIAL_BUFFER = 2048;

    private final InputStream raw;
    private final byte[] small = new byte[INITIAL_BUFFER];
    private byte[] buffer = small;
    private ByteBuffer borrowed;   // the large buffer from LargeBuffers that buffer is, while the client sends in bulk; else null
    private boolean drainedWhenBorrowed;   // the large buffer took everything that was waiting: give it back without asking
    private boolean lastReadWasLarge;      // the last message took more than the small buffer: wait for the next in the large one
    private int position;
    private int limit;

    public SocketInput(InputStream raw) {
        this.raw = raw;
    }

    /**
     * Reads into the empty buffer; called only when everything buffered has been consumed. A
     * connection waits for input with its small buffer: the large one, borrowed when a read fills
     * the small one (the client sends in bulk), goes back to {@link LargeBuffers} as soon as
     * nothing more is waiting to be read, so a quiet connection holds 2 KiB. The exception is a
     * connection whose last message took more than the small buffer: it waits for the next one
     * in the large buffer, and reads it in one system call rather than three (the small read, a
     * question of how much more is waiting, the rest), while one of the few places for that in
     * {@link LargeBuffers} is free. A next message that fits the small buffer ends it, and so do
     * a read timeout and the end of the stream. (Giving the large buffer back after a second of
     * quiet instead, through a timed read, measured slower on virtual threads: a timed park costs
     * more than the extra reads.)
     */
    private boolean fill() throws IOException {
        if (borrowed != null) {
            // a request and its answer (an echo, an RPC) fit in one large fill: nothing more was waiting
            // then, so no system call asks whether more has come since
            if (!drainedWhenBorrowed && raw.available() > 0) {
                return filled(raw.read(buffer, 0, buffer.length));
            }
            if (lastReadWasLarge && LargeBuffers.enterWaiting()) {
                try {
                    return filledWhileHolding(raw.read(buffer, 0, buffer.length));
                } catch (IOException e) {
                    giveBack();   // a read timeout: the connection has been quiet that long
                    throw e;
                } finally {
                    LargeBuffers.leaveWaiting();
                }
            }
            giveBack();
        }
        return filled(raw.read(buffer, 0, buffer.length));
    }

    private boolean filled(int n) throws IOException {
        if (n <= 0) {
            return false;
        }
        position = 0;
        limit = n;
        if (n == small.length && borrowed == null) {
            continueInLargeBuffer();
        }
        return true;
    }

    /** A read into the large buffer kept while waiting: a message that fits the small buffer means the bulk exchange is over. */
    private boolean filledWhileHolding(int n) {
        if (n <= 0) {
            giveBack();   // the client is done: the next connection reuses the buffer
            return false;
        }
        position = 0;
        limit = n;
        lastReadWasLarge = n > small.length;
        drainedWhenBorrowed = n < buffer.length;
        return true;
    }

    /** The small buffer is full: moves it into a borrowed large one, and adds what has arrived meanwhile without waiting. */
    private void continueInLargeBuffer() throws IOException {
        borrowed = LargeBuffers.take(LargeBuffers.SIZE);
        byte[] large = borrowed.array();
        System.arraycopy(small, 0, large, 0, limit);
        buffer = large;
        int waiting = raw.available();
        int room = large.length - limit;
        if (waiting > 0) {
            int more = raw.read(large, limit, Math.min(waiting, room));
            if (more > 0) {
                limit += more;
            }
        }
        drainedWhenBorrowed = waiting < room;
        lastReadWasLarge = true;
    }

    private void giveBack() {
        ByteBuffer large = borrowed;
        borrowed = null;
        lastReadWasLarge = false;
        buffer = small;
        LargeBuffers.give(large);
    }

    @Override
    public int read() throws IOException {
        if (position >= limit && !fill()) {
            return -1;
        }
        return buffer[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (position < limit) {
            int n = Math.min(len, limit - position);
            System.arraycopy(buffer, position, b, off, n);
            position += n;
            return n;
        }
        if (len >= buffer.length) {
            return raw.read(b, off, len);
        }
        if (!fill()) {
            return -1;
        }
        return read(b, off, len);
    }

    /**
     * Copies what is buffered and then everything up to EOF through this stream's own buffer, so an
     * echo ({@code in().transferTo(out())}) holds no second buffer per connection: the JDK's
     * default allocates 16 KiB for each call.
     */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        long total = 0;
        if (position < limit) {
            int n = limit - position;
            position = limit;
            out.write(buffer, limit - n, n);
            total += n;
        }
        while (fill()) {
            position = limit;
            out.write(buffer, 0, limit);
            total += limit;
        }
        return total;
    }

    @Override
    public int available() throws IOException {
        return (limit - position) + raw.available();
    }

    /** What the layer below has ready for reading, not counting this stream's own buffer. */
    public int rawAvailable() throws IOException {
        return raw.available();
    }

    /** Buffered bytes not yet consumed; when there are none, reads more (see {@link BufferWindow}). */
    @Override
    public int window() throws IOException {
        return position < limit || fill() ? limit - position : 0;
    }

    @Override
    public byte[] windowArray() {
        return buffer;
    }

    @Override
    public int windowStart() {
        return position;
    }

    @Override
    public void consume(int n) {
        Objects.checkIndex(n, limit - position + 1);
        position += n;
    }

    /** The size of the buffer now, for tests. */
    int bufferCapacity() {
        return buffer.length;
    }

    /** Does not close the connection: the server does that when the request ends. */
    @Override
    public void close() {
    }
}
