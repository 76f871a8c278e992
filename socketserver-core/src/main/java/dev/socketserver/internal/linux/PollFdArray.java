package dev.socketserver.internal.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A growable array of {@code struct pollfd} in an arena, every entry waiting for its descriptor
 * to turn readable: what {@link ChildReaper}'s thread polls (its eventfd and the pidfd of each
 * child). Used by one thread, the owner of the arena.
 */
final class PollFdArray {
    private final Arena arena;
    private MemorySegment entries;

    /** Room for {@code capacity} entries to begin with. */
    PollFdArray(Arena arena, int capacity) {
        this.arena = arena;
        this.entries = arena.allocate(capacity * (long) LibC.POLLFD_SIZE, 8);
    }

    /** Makes room for {@code count} entries. The array grows to twice the peak at most. */
    void ensureCapacity(long count) {
        long needed = count * LibC.POLLFD_SIZE;
        if (entries.byteSize() < needed) {
            entries = arena.allocate(Math.max(needed, entries.byteSize() * 2), 8);
        }
    }

    /** Sets entry {@code index} to wait for {@code fd} to be readable ({@code POLLIN}). */
    void set(int index, int fd) {
        long offset = (long) index * LibC.POLLFD_SIZE;
        entries.set(ValueLayout.JAVA_INT, offset, fd);
        entries.set(ValueLayout.JAVA_SHORT, offset + 4, LibC.POLLIN);
        entries.set(ValueLayout.JAVA_SHORT, offset + 6, (short) 0);
    }

    /** {@code poll} on the first {@code count} entries: the number ready, or -1 with errno in {@code state}. */
    int poll(MemorySegment state, long count, int timeoutMillis) {
        return LibC.poll(state, entries, count, timeoutMillis);
    }

    /** The events the last {@link #poll} returned for entry {@code index}; 0 if none. */
    short revents(int index) {
        return entries.get(ValueLayout.JAVA_SHORT, (long) index * LibC.POLLFD_SIZE + 6);
    }
}
