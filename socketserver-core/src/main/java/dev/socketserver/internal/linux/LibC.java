package dev.socketserver.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static dev.socketserver.internal.linux.LibCLinker.CALL_STATE;
import static dev.socketserver.internal.linux.LibCLinker.ERRNO;
import static dev.socketserver.internal.linux.LibCLinker.LINKER;
import static dev.socketserver.internal.linux.LibCLinker.LOOKUP;
import static dev.socketserver.internal.linux.LibCLinker.errnoCall;
import static dev.socketserver.internal.linux.LibCLinker.invokeInt;
import static dev.socketserver.internal.linux.LibCLinker.variadicErrnoCall;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc functions the JDK does not reach, called through the Foreign Function and Memory
 * API. Linux only. Every call returns the raw result; {@link #errno} reads the error of the last
 * call made with the same state segment.
 *
 * <p>This class holds what every caller shares: the errno state and the error it makes, and the
 * calls on any descriptor ({@code close}, {@code read}, {@code write}, {@code poll},
 * {@code fcntl}, {@code pipe2}, {@code eventfd}). The rest is grouped by subject:
 * {@link LibCSockets}, {@link LibCProcesses}, {@link LibCSpawn} and {@link LibCMemory}, all
 * linked through {@link LibCLinker}.
 */
final class LibC {
    static final short POLLIN = 0x1;
    /** {@code struct pollfd}: int fd, short events, short revents. */
    static final int POLLFD_SIZE = 8;
    static final int EFD_CLOEXEC = 02000000;
    static final int EFD_NONBLOCK = 04000;
    static final int O_CLOEXEC = 02000000;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int FD_CLOEXEC = 1;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int O_NONBLOCK = 04000;

    private static final MethodHandle POLL = errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = errnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle EVENTFD = errnoCall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD_WRITE = errnoCall("eventfd_write", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle EVENTFD_READ = errnoCall("eventfd_read", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle PIPE2 = errnoCall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle DUP3 = errnoCall("dup3", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle UNSETENV = errnoCall("unsetenv", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FCNTL = variadicErrnoCall("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LOOKUP.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(1024, java.lang.foreign.ValueLayout.JAVA_BYTE)), JAVA_INT));

    private LibC() {
    }

    /** A segment to receive errno, one per thread of use (or guarded by the caller). */
    static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** An exception that names the operation, the address, the errno and its text: {@code bind unixgram:/x: EACCES (Permission denied)}. */
    static IOException error(String operation, String target, int errno) {
        String message = operation + (target.isEmpty() ? "" : " " + target) + ": " + Errno.name(errno) + " (" + strerror(errno) + ")";
        return errno == Errno.ECONNREFUSED ? new java.net.ConnectException(message)
                : errno == 98 ? new java.net.BindException(message) : new IOException(message);
    }

    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static int poll(MemorySegment state, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(state, fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buffer, long length) {
        try {
            return (long) READ.invokeExact(state, fd, buffer, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buffer, long length) {
        try {
            return (long) WRITE.invokeExact(state, fd, buffer, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int eventfd(MemorySegment state, int initial, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initial, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int eventfdWrite(MemorySegment state, int fd, long value) {
        try {
            return (int) EVENTFD_WRITE.invokeExact(state, fd, value);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int eventfdRead(MemorySegment state, int fd, MemorySegment value) {
        try {
            return (int) EVENTFD_READ.invokeExact(state, fd, value);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Fills {@code fds} (two ints) with a pipe's read and write ends. */
    static int pipe2(MemorySegment state, MemorySegment fds, int flags) {
        return invokeInt(PIPE2, state, fds, flags);
    }

    /** {@code fcntl} with an int argument ({@code F_DUPFD_CLOEXEC}, {@code F_SETFD}), or 0 for the commands that take none. */
    static int fcntl(MemorySegment state, int fd, int command, int argument) {
        try {
            return (int) FCNTL.invokeExact(state, fd, command, argument);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Makes {@code newFd} a copy of {@code oldFd} (closing what {@code newFd} was), with {@code flags} ({@link #O_CLOEXEC}). */
    static int dup3(MemorySegment state, int oldFd, int newFd, int flags) {
        try {
            return (int) DUP3.invokeExact(state, oldFd, newFd, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Removes a variable from the process's environment, as children started from now on see it. */
    static int unsetenv(MemorySegment state, MemorySegment name) {
        return invokeInt(UNSETENV, state, name);
    }
}
