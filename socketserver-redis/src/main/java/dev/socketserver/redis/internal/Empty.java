package dev.socketserver.redis.internal;

/** Shared empty values. */
final class Empty {
    static final byte[] BYTES = new byte[0];

    private Empty() {
    }
}
