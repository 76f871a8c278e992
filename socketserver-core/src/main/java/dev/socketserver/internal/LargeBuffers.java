package dev.socketserver.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The large buffers that blocking connections borrow while they are busy, so that a connection
 * that waits holds only its small one: a burst of input read through {@link SocketInput}, and the
 * TLS engine's buffers of {@link BlockingTlsEngine} (the JDK's {@code SSLEngine} wants about
 * 16.7 KiB of room for every {@code wrap} and {@code unwrap}, however small the record: a smaller
 * buffer gets {@code BUFFER_OVERFLOW}). A few are kept for reuse, so that a busy connection does
 * not allocate and clear 16 KiB for each message; the rest are left to the collector.
 *
 * <p>A connection in the middle of a bulk exchange (16 KiB requests, say) may also keep its large
 * buffer while it waits for the next one, so that it reads each message in one system call; at
 * most {@value #WAITERS} connections at once, so that all they hold stays near 4 MiB however many
 * go quiet after a burst (see {@link SocketInput}).
 */
final class LargeBuffers {
    /** The size of every pooled buffer: a TLS record's room (16,709 bytes for the JDK's TLS 1.2 and 1.3), and 16 KiB of input. */
    static final int SIZE = 17 * 1024;
    private static final int SLOTS = 64;
    private static final int PROBES = 4;
    private static final AtomicReferenceArray<ByteBuffer> FREE = new AtomicReferenceArray<>(SLOTS);
    /** The most connections that may wait for input holding a large buffer at once. */
    static final int WAITERS = 256;
    private static final AtomicInteger waiting = new AtomicInteger();

    private LargeBuffers() {
    }

    /** A cleared buffer of at least {@code capacity} bytes: {@link #SIZE} from the pool, or larger if asked. */
    static ByteBuffer take(int capacity) {
        if (capacity > SIZE) {
            return ByteBuffer.allocate(capacity);
        }
        int start = home();
        for (int i = 0; i < PROBES; i++) {
            int slot = (start + i) & (SLOTS - 1);
            ByteBuffer buffer = FREE.get(slot);
            if (buffer != null && FREE.compareAndSet(slot, buffer, null)) {
                return buffer.clear();
            }
        }
        return ByteBuffer.allocate(SIZE);
    }

    /** Gives {@code buffer} back; the caller no longer uses it. Only buffers of {@link #SIZE} are kept. */
    static void give(ByteBuffer buffer) {
        if (buffer.capacity() != SIZE) {
            return;
        }
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

    /** Takes one of the {@value #WAITERS} places for a connection that waits holding its large buffer; false if none is free. */
    static boolean enterWaiting() {
        int now;
        do {
            now = waiting.get();
            if (now >= WAITERS) {
                return false;
            }
        } while (!waiting.compareAndSet(now, now + 1));
        return true;
    }

    /** Gives back the place {@link #enterWaiting()} took: the wait has ended. */
    static void leaveWaiting() {
        waiting.decrementAndGet();
    }

    /** Connections waiting with a large buffer now, for tests. */
    static int waitingNow() {
        return waiting.get();
    }
}
