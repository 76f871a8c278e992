package dev.socketserver.loadgen;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * The bytes the load generator sends, so that it knows what each echo must hold without keeping a
 * copy: message {@code k} of connection {@code c} is {@link #size()} bytes of a fixed pseudo-random
 * sequence, starting at an offset that depends on {@code c} and {@code k}. A byte lost, doubled or
 * altered, a message swapped with another, or a message delivered to the wrong connection all
 * change what is read, so every echoed byte can be checked against this pattern.
 *
 * <p>Immutable and safe to share; each thread reads it through its own {@link #view()}.
 */
public final class MessagePattern {
    /** Distinct starting offsets: neighbouring messages and connections start at different ones. */
    static final int OFFSETS = 256;
    private static final long SEED = 0x5EC0_5E7E_4EC4_0L;

    private final int size;
    private final ByteBuffer bytes;   // read-only, direct

    /** The pattern for messages of {@code size} bytes. */
    public MessagePattern(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, got " + size);
        }
        this.size = size;
        var random = new SplittableRandom(SEED);
        ByteBuffer b = ByteBuffer.allocateDirect(size + OFFSETS);
        while (b.hasRemaining()) {
            b.put((byte) random.nextInt(256));
        }
        this.bytes = b.flip().asReadOnlyBuffer();
    }

    /** The length of every message. */
    public int size() {
        return size;
    }

    /** Where in the pattern message {@code message} of connection {@code connection} starts. */
    public static int offset(int connection, long message) {
        return (int) ((connection * 31L + message) & (OFFSETS - 1));
    }

    /** A view of the whole pattern (position 0, limit {@code size + 256}) for one thread to slice with absolute indexes. */
    public ByteBuffer view() {
        return bytes.duplicate();
    }

    /** Byte {@code index} of message {@code message} of connection {@code connection}. */
    public byte byteAt(int connection, long message, int index) {
        return bytes.get(offset(connection, message) + index);
    }

    /** A fresh copy of one whole message, for tests and for datagrams. */
    public byte[] message(int connection, long message) {
        byte[] copy = new byte[size];
        bytes.get(offset(connection, message), copy);
        return copy;
    }
}
