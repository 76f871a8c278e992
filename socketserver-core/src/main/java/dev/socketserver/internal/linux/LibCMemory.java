package dev.socketserver.internal.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static dev.socketserver.internal.linux.LibCLinker.errnoCall;
import static dev.socketserver.internal.linux.LibCLinker.invokeInt;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls behind {@link SharedMemory}, memory a supervisor shares with its workers: an
 * anonymous file ({@code memfd_create}, {@code ftruncate}, {@code lseek}) and its mapping
 * ({@code mmap}, {@code munmap}). Errors as for every {@link LibC} call: the raw result, errno in
 * the state segment.
 */
final class LibCMemory {
    static final int MFD_CLOEXEC = 1;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int SEEK_END = 2;
    /** {@code MAP_FAILED}: {@code (void *) -1}. */
    static final long MAP_FAILED = -1L;

    private static final MethodHandle MEMFD_CREATE = errnoCall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = errnoCall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle LSEEK = errnoCall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MMAP = errnoCall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    private LibCMemory() {
    }

    static int memfdCreate(MemorySegment state, MemorySegment name, int flags) {
        return invokeInt(MEMFD_CREATE, state, name, flags);
    }

    static int ftruncate(MemorySegment state, int fd, long length) {
        try {
            return (int) FTRUNCATE.invokeExact(state, fd, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long lseek(MemorySegment state, int fd, long offset, int whence) {
        try {
            return (long) LSEEK.invokeExact(state, fd, offset, whence);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The mapping's address, or {@link #MAP_FAILED}. */
    static MemorySegment mmap(MemorySegment state, MemorySegment address, long length, int protection, int flags, int fd, long offset) {
        try {
            return (MemorySegment) MMAP.invokeExact(state, address, length, protection, flags, fd, offset);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int munmap(MemorySegment state, MemorySegment address, long length) {
        try {
            return (int) MUNMAP.invokeExact(state, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
