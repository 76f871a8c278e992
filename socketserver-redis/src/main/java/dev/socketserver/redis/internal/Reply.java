package dev.socketserver.redis.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The replies of one connection, encoded in RESP2 into a buffer that is reused from batch to
 * batch, and written out together: one write for the replies of many pipelined requests. A bulk
 * value of {@value #LARGE} bytes or more is not copied into the buffer but written from the
 * stored array itself (stored values never change once stored).
 */
public final class Reply {
    static final int LARGE = 16 * 1024;
    private static final int INITIAL = 16 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Where the replies go: a blocking connection's output, or an event-loop transport. */
    public interface Sink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    private byte[] buffer = new byte[INITIAL];
    private int size;
    private byte[][] large = new byte[4][];
    private int[] largeAt = new int[4];    // where in buffer each large value goes
    private int largeCount;
    private long largeBytes;

    /** The bytes waiting to be written. */
    public long pending() {
        return size + largeBytes;
    }

    /** Writes everything encoded so far to {@code sink}, in order, and empties the reply. */
    public void writeTo(Sink sink) throws IOException {
        int from = 0;
        for (int i = 0; i < largeCount; i++) {
            if (largeAt[i] > from) {
                sink.write(buffer, from, largeAt[i] - from);
            }
            sink.write(large[i], 0, large[i].length);
            from = largeAt[i];
            large[i] = null;
        }
        if (size > from) {
            sink.write(buffer, from, size - from);
        }
        clear();
    }

    /** Where the reply stands now, for {@link #rollback}. */
    long mark() {
        return ((long) largeCount << 32) | size;
    }

    /** Drops what was encoded since {@code mark}: a command that failed halfway leaves no half reply. */
    void rollback(long mark) {
        int count = (int) (mark >>> 32);
        for (int i = count; i < largeCount; i++) {
            largeBytes -= large[i].length;
            large[i] = null;
        }
        largeCount = count;
        size = (int) mark;
    }

    /** Drops what is encoded; a buffer that grew for a large reply goes back to its first size. */
    public void clear() {
        size = 0;
        largeCount = 0;
        largeBytes = 0;
        if (buffer.length > 4 * INITIAL) {
            buffer = new byte[INITIAL];
        }
    }

    public void ok() {
        put(OK);
    }

    /** {@code +text}: a status. */
    public void simple(String text) {
        room(text.length() + 3);
        buffer[size++] = '+';
        ascii(text);
        put(CRLF);
    }

    /** {@code -message}: an error; the message starts with its code ({@code ERR}, {@code WRONGTYPE}). */
    public void error(String message) {
        byte[] bytes = message.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8);
        room(bytes.length + 3);
        buffer[size++] = '-';
        put(bytes);
        put(CRLF);
    }

    public void integer(long n) {
        prefixed(':', n);
    }

    public void bulk(byte[] value) {
        prefixed('$', value.length);
        if (value.length >= LARGE) {
            addLarge(value);
        } else {
            put(value);
        }
        put(CRLF);
    }

    public void bulk(String text) {
        bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code $-1}: no value. */
    public void nullBulk() {
        put(NULL_BULK);
    }

    /** The header of an array of {@code n} replies, which follow. */
    public void array(int n) {
        prefixed('*', n);
    }

    /** {@code *-1}: no array. */
    public void nullArray() {
        put(NULL_ARRAY);
    }

    private void addLarge(byte[] value) {
        if (largeCount == large.length) {
            large = Arrays.copyOf(large, largeCount * 2);
            largeAt = Arrays.copyOf(largeAt, largeCount * 2);
        }
        large[largeCount] = value;
        largeAt[largeCount++] = size;
        largeBytes += value.length;
    }

    private void prefixed(char type, long n) {
        room(24);
        buffer[size++] = (byte) type;
        if (n < 0) {
            if (n == Long.MIN_VALUE) {
                ascii(Long.toString(n));
                put(CRLF);
                return;
            }
            buffer[size++] = '-';
            n = -n;
        }
        int digits = digits(n);
        for (int i = size + digits - 1; i >= size; i--) {
            buffer[i] = (byte) ('0' + n % 10);
            n /= 10;
        }
        size += digits;
        buffer[size++] = '\r';
        buffer[size++] = '\n';
    }

    private static int digits(long n) {
        int digits = 1;
        while (n >= 10) {
            n /= 10;
            digits++;
        }
        return digits;
    }

    private void ascii(String text) {
        room(text.length());
        for (int i = 0; i < text.length(); i++) {
            buffer[size++] = (byte) text.charAt(i);
        }
    }

    private void put(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
    }

    private void room(int more) {
        if (size + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(size + more, buffer.length * 2));
        }
    }
}
