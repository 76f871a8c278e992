package dev.socketserver.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The few libc functions the JDK does not reach (AF_UNIX datagram sockets, abstract addresses),
 * called through the Foreign Function and Memory API. Linux only. Every call returns the raw
 * result; {@link #errno} reads the error of the last call made with the same state segment.
 */
final class LibC {
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 04000;
    static final int SOCK_CLOEXEC = 02000000;
    static final int EFD_CLOEXEC = 02000000;
    static final int EFD_NONBLOCK = 04000;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 0x1;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;

    /** {@code struct sockaddr_un}: a 2-byte family and 108 bytes of path. */
    static final int SOCKADDR_UN_SIZE = 110;
    static final int SUN_PATH_OFFSET = 2;
    static final int SUN_PATH_SIZE = 108;
    /** {@code struct pollfd}: int fd, short events, short revents. */
    static final int POLLFD_SIZE = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = errnoCall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = errnoCall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = errnoCall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO = errnoCall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = errnoCall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle POLL = errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = errnoCall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FCHMOD = errnoCall("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = errnoCall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD_WRITE = errnoCall("eventfd_write", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle EVENTFD_READ = errnoCall("eventfd_read", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LOOKUP.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(1024, java.lang.foreign.ValueLayout.JAVA_BYTE)), JAVA_INT));

    private LibC() {
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
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

    static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int bind(MemorySegment state, int fd, MemorySegment address, int length) {
        try {
            return (int) BIND.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int connect(MemorySegment state, int fd, MemorySegment address, int length) {
        try {
            return (int) CONNECT.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int getsockname(MemorySegment state, int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETSOCKNAME.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long sendto(MemorySegment state, int fd, MemorySegment buffer, long length, int flags, MemorySegment address, int addressLength) {
        try {
            return (long) SENDTO.invokeExact(state, fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long recvfrom(MemorySegment state, int fd, MemorySegment buffer, long length, int flags, MemorySegment address, MemorySegment addressLength) {
        try {
            return (long) RECVFROM.invokeExact(state, fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw new AssertionError(t);
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

    static int setsockopt(MemorySegment state, int fd, int level, int option, MemorySegment value, int length) {
        try {
            return (int) SETSOCKOPT.invokeExact(state, fd, level, option, value, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fchmod(MemorySegment state, int fd, int mode) {
        try {
            return (int) FCHMOD.invokeExact(state, fd, mode);
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

    static short family(MemorySegment sockaddr) {
        return sockaddr.get(JAVA_SHORT, 0);
    }
}
