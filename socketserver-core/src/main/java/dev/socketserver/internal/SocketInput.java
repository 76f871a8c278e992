package dev.socketserver.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The buffered input of a connection: a plain {@link InputStream} that can also read lines, without
 * locks (one reader at a time). Closing it does not close the connection.
 */
public final class SocketInput extends InputStream {
    public static final int MAX_LINE = 65_536;

    /** The buffer a connection starts with: small, since an idle connection holds it while it waits. */
    static final int INITIAL_BUFFER = 2048;
    /** What the buffer grows to, doubling each time a read fills it, while the client sends in bulk. */
    static final int MAX_BUFFER = 16_384;

    private final InputStream raw;
    private byte[] buffer = new byte[INITIAL_BUFFER];
    private int position;
    private int limit;

    public SocketInput(InputStream raw) {
        this.raw = raw;
    }

    /**
     * Reads into the empty buffer; called only when everything buffered has been consumed. A grown
     * buffer is given back first when nothing is waiting to be read: the connection is about to
     * wait, and a quiet connection holds only the small buffer.
     */
    private boolean fill() throws IOException {
        if (buffer.length > INITIAL_BUFFER && raw.available() == 0) {
            buffer = new byte[INITIAL_BUFFER];
        }
        int n = raw.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        position = 0;
        limit = n;
        if (n == buffer.length && buffer.length < MAX_BUFFER) {
            grow();
        }
        return true;
    }

    /** Moves what is buffered into a buffer twice the size. */
    private void grow() {
        byte[] larger = new byte[Math.min(buffer.length * 2, MAX_BUFFER)];
        System.arraycopy(buffer, position, larger, 0, limit - position);
        limit -= position;
        position = 0;
        buffer = larger;
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

    /** Reads up to and including {@code \n}; see {@code Connection.readLine()}. */
    public String readLine() throws IOException {
        ByteArrayOutputStream partial = null;
        while (true) {
            if (position >= limit && !fill()) {
                if (partial == null || partial.size() == 0) {
                    return null;
                }
                return decode(partial.toByteArray(), partial.size());
            }
            for (int i = position; i < limit; i++) {
                if (buffer[i] == '\n') {
                    int start = position;
                    position = i + 1;
                    if (partial == null) {
                        return decode(buffer, start, i - start);
                    }
                    partial.write(buffer, start, i - start);
                    checkLength(partial.size());
                    return decode(partial.toByteArray(), partial.size());
                }
            }
            if (partial == null) {
                partial = new ByteArrayOutputStream(256);
            }
            partial.write(buffer, position, limit - position);
            position = limit;
            checkLength(partial.size());
        }
    }

    private static void checkLength(int length) throws IOException {
        if (length > MAX_LINE) {
            throw new EOFException("line longer than " + MAX_LINE + " bytes");
        }
    }

    private static String decode(byte[] bytes, int length) {
        return decode(bytes, 0, length);
    }

    private static String decode(byte[] bytes, int offset, int length) {
        if (length > 0 && bytes[offset + length - 1] == '\r') {
            length--;
        }
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
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
