package dev.socketserver.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The session-sized buffers that the blocking TLS connections borrow: the JDK's {@code SSLEngine}
 * wants about 16.7 KiB of room for every {@code wrap} and {@code unwrap}, however small the record
 * (a smaller buffer gets {@code BUFFER_OVERFLOW}), so a connection that owned its two would hold
 * 33 KiB while it waits. A connection holds one only while it has plaintext unread or a write under
 * way, and gives it back after. A few are kept for reuse; the rest are left to the collector.
 */
final class TlsBufferPool {
    private static final int SLOTS = 64;
    private static final int PROBES = 4;
    private static final AtomicReferenceArray<ByteBuffer> FREE = new AtomicReferenceArray<>(SLOTS);

    private TlsBufferPool() {
    }

    /** A cleared buffer of at least {@code capacity} bytes. */
    static ByteBuffer take(int capacity) {
        int start = home();
        for (int i = 0; i < PROBES; i++) {
            int slot = (start + i) & (SLOTS - 1);
            ByteBuffer buffer = FREE.get(slot);
            if (buffer != null && buffer.capacity() >= capacity && FREE.compareAndSet(slot, buffer, null)) {
                return buffer.clear();
            }
        }
        return ByteBuffer.allocate(capacity);
    }

    /** Gives {@code buffer} back; the caller no longer uses it. */
    static void give(ByteBuffer buffer) {
        int start = home();
        for (int i = 0; i < PROBES; i++) {
            if (FREE.compareAndSet((start + i) & (SLOTS - 1), null, buffer)) {
                return;
            }
        }
    }

    /** Where the calling thread looks first, so that threads seldom meet on one slot. */
    private static int home() {
        long id = Thread.currentThread().threadId();
        return (int) (id ^ (id >>> 16)) * 0x9E3779B9 >>> 26;
    }
}
