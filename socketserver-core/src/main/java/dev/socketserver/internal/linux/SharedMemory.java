package dev.socketserver.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Memory shared by a process and the children it hands the descriptor to: an anonymous file
 * ({@code memfd_create}), mapped {@code MAP_SHARED}. It has no name in any file system, so nothing
 * is left behind whichever process dies, and how ({@code kill -9} included): the memory goes away
 * with the last mapping and descriptor.
 */
public final class SharedMemory implements AutoCloseable {
    private final Arena arena;
    private final MemorySegment segment;
    private int fd;   // -1 once closed, or in a child that mapped an inherited descriptor; guarded by this

    private SharedMemory(Arena arena, MemorySegment segment, int fd) {
        this.arena = arena;
        this.segment = segment;
        this.fd = fd;
    }

    /**
     * A new zero-filled region of {@code size} bytes, its descriptor close-on-exec (hand it to
     * children through {@link Spawner}'s inherited descriptors).
     *
     * @param name shown in {@code /proc/PID/maps} and {@code /proc/PID/fd} as {@code /memfd:NAME (deleted)}
     */
    public static SharedMemory create(String name, long size) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(call);
            int fd = LibCMemory.memfdCreate(state, call.allocateFrom(name), LibCMemory.MFD_CLOEXEC);
            if (fd < 0) {
                throw LibC.error("memfd_create", name, LibC.errno(state));
            }
            fd = SupervisorLink.moveUp(state, fd);   // closes the original when it fails
            Arena arena = Arena.ofShared();
            try {
                if (LibCMemory.ftruncate(state, fd, size) != 0) {
                    throw LibC.error("ftruncate", name, LibC.errno(state));
                }
                return new SharedMemory(arena, map(state, arena, fd, size, name), fd);
            } catch (IOException | RuntimeException e) {
                arena.close();
                LibC.close(state, fd);
                throw e;
            }
        }
    }

    /**
     * Maps the whole of an inherited descriptor made by {@link #create}, then closes the descriptor
     * (the mapping keeps the memory).
     *
     * @throws IOException if {@code fd} is not such a descriptor; it is closed all the same
     */
    public static SharedMemory inherited(int fd) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(call);
            try {
                long size = LibCMemory.lseek(state, fd, 0, LibCMemory.SEEK_END);
                if (size <= 0) {
                    throw size < 0 ? LibC.error("lseek", "descriptor " + fd, LibC.errno(state))
                            : new IOException("descriptor " + fd + " is empty: not the shared memory of a supervisor");
                }
                Arena arena = Arena.ofShared();
                try {
                    return new SharedMemory(arena, map(state, arena, fd, size, "descriptor " + fd), -1);
                } catch (IOException | RuntimeException e) {
                    arena.close();
                    throw e;
                }
            } finally {
                LibC.close(state, fd);
            }
        }
    }

    /** Maps {@code size} bytes of {@code source}, the segment's lifetime that of {@code arena} (close unmaps nothing: see {@link #close()}). */
    private static MemorySegment map(MemorySegment state, Arena arena, int source, long size, String what) throws IOException {
        MemorySegment address = LibCMemory.mmap(state, MemorySegment.NULL, size, LibCMemory.PROT_READ | LibCMemory.PROT_WRITE,
                LibCMemory.MAP_SHARED, source, 0);
        if (address.address() == LibCMemory.MAP_FAILED) {
            throw LibC.error("mmap", what, LibC.errno(state));
        }
        return address.reinterpret(size, arena, null);
    }

    /** The shared bytes; invalid after {@link #close()}. */
    public MemorySegment segment() {
        return segment;
    }

    /** The descriptor to hand to children; -1 in a child or once closed. */
    public synchronized int fd() {
        return fd;
    }

    /** Unmaps the memory here and closes the descriptor; children keep their own mappings. */
    @Override
    public synchronized void close() {
        if (!arena.scope().isAlive()) {
            return;
        }
        long size = segment.byteSize();
        MemorySegment start = MemorySegment.ofAddress(segment.address());
        arena.close();   // from now on an access throws instead of reaching unmapped memory
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(call);
            LibCMemory.munmap(state, start, size);
            if (fd >= 0) {
                LibC.close(state, fd);
                fd = -1;
            }
        }
    }
}
