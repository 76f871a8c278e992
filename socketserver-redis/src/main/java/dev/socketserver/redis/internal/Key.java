package dev.socketserver.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A key, member or field: bytes compared by content, with the hash computed once. Binary-safe:
 * any bytes, not text. The array is never changed once wrapped.
 */
public final class Key implements Comparable<Key> {
    private final byte[] bytes;
    private final int hash;

    public Key(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static Key of(String text) {
        return new Key(text.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] bytes() {
        return bytes;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Key key && key.hash == hash && Arrays.equals(key.bytes, bytes);
    }

    /** Byte by byte, unsigned, as Redis orders members of equal score (memcmp). */
    @Override
    public int compareTo(Key other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
