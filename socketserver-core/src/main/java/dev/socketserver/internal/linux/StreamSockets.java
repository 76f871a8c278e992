package dev.socketserver.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.SocketException;

import static dev.socketserver.internal.linux.LibCLinker.criticalErrnoCall;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The calls on a connected, non-blocking stream socket (TCP or Unix) that a connection makes when
 * it owns the descriptor itself rather than through a JDK channel: read, send, how much is waiting,
 * shutdown, {@code TCP_NODELAY}; closing is {@link SocketDescriptors#close(int)}. Reads and sends
 * go straight between the socket and a Java array (a critical downcall, allowed because the socket
 * never blocks), with no copy through a direct buffer, and errno comes back in a Java array too.
 * Linux only.
 *
 * <p>Every method is static and safe from any thread.
 */
public final class StreamSockets {
    /** What {@link #read} and {@link #send} return when the socket has nothing to read or no room to send. */
    public static final int WOULD_BLOCK = -1;
    private static final int INTERRUPTED = -2;
    /** {@code shutdown}'s {@code how}. */
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;

    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int FIONREAD = 0x541B;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NODELAY = 1;

    private static final MethodHandle READ = criticalErrnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SEND = criticalErrnoCall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SHUTDOWN = criticalErrnoCall("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL = criticalErrnoCall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));

    private StreamSockets() {
    }

    /**
     * Reads what is waiting, up to {@code length} bytes, into {@code bytes} at {@code offset}.
     *
     * @return the number read, 0 at the end of the stream, or {@link #WOULD_BLOCK}
     * @throws SocketException "Connection reset" when the peer reset the connection
     */
    public static int read(int fd, byte[] bytes, int offset, int length) throws IOException {
        int[] errno = new int[1];
        int n;
        do {
            n = outcome(readOnce(errno, fd, bytes, offset, length), errno, "read", fd);
        } while (n == INTERRUPTED);
        return n;
    }

    // The segments are made in the call's own expression, in a method of their own, so that the
    // compiler sees they go no further and allocates none (made before a retry loop, they cost 248
    // bytes a call).
    private static long readOnce(int[] errno, int fd, byte[] bytes, int offset, int length) {
        try {
            return (long) READ.invokeExact(MemorySegment.ofArray(errno), fd, MemorySegment.ofArray(bytes).asSlice(offset, length), (long) length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Sends what the socket has room for, up to {@code length} bytes (never raising SIGPIPE).
     *
     * @return the number sent, or {@link #WOULD_BLOCK}
     * @throws SocketException "Broken pipe" or "Connection reset" when the peer is gone
     */
    public static int send(int fd, byte[] bytes, int offset, int length) throws IOException {
        int[] errno = new int[1];
        int n;
        do {
            n = outcome(sendOnce(errno, fd, bytes, offset, length), errno, "send", fd);
        } while (n == INTERRUPTED);
        return n;
    }

    private static long sendOnce(int[] errno, int fd, byte[] bytes, int offset, int length) {
        try {
            return (long) SEND.invokeExact(MemorySegment.ofArray(errno), fd, MemorySegment.ofArray(bytes).asSlice(offset, length),
                    (long) length, MSG_NOSIGNAL);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Reads what is waiting into {@code into} (native or heap memory), as much as it holds;
     * {@code errno} is the caller's room for the call's errno (one element), reused from call to
     * call by one thread so that a call allocates nothing.
     *
     * @return the number read, 0 at the end of the stream, or {@link #WOULD_BLOCK}
     * @throws SocketException "Connection reset" when the peer reset the connection
     */
    public static int read(int fd, MemorySegment into, int[] errno) throws IOException {
        int n;
        do {
            n = outcome(readOnce(errno, fd, into), errno, "read", fd);
        } while (n == INTERRUPTED);
        return n;
    }

    private static long readOnce(int[] errno, int fd, MemorySegment into) {
        try {
            return (long) READ.invokeExact(MemorySegment.ofArray(errno), fd, into, into.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Sends what the socket has room for of {@code from} (native or heap memory), never raising
     * SIGPIPE; {@code errno} as for {@link #read(int, MemorySegment, int[])}.
     *
     * @return the number sent, or {@link #WOULD_BLOCK}
     * @throws SocketException "Broken pipe" or "Connection reset" when the peer is gone
     */
    public static int send(int fd, MemorySegment from, int[] errno) throws IOException {
        int n;
        do {
            n = outcome(sendOnce(errno, fd, from), errno, "send", fd);
        } while (n == INTERRUPTED);
        return n;
    }

    private static long sendOnce(int[] errno, int fd, MemorySegment from) {
        try {
            return (long) SEND.invokeExact(MemorySegment.ofArray(errno), fd, from, from.byteSize(), MSG_NOSIGNAL);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** What a read's or send's result {@code n} means: a count, {@link #WOULD_BLOCK}, {@link #INTERRUPTED} (call again), or the error thrown. */
    private static int outcome(long n, int[] errno, String call, int fd) throws IOException {
        if (n >= 0) {
            return (int) n;
        }
        return switch (errno[0]) {
            case Errno.EAGAIN -> WOULD_BLOCK;
            case Errno.EINTR -> INTERRUPTED;
            default -> throw error(call, fd, errno[0]);
        };
    }

    /** How many bytes wait to be read ({@code FIONREAD}). */
    public static int available(int fd) throws IOException {
        int[] count = new int[1];
        int[] errno = new int[1];
        int r;
        try {
            r = (int) IOCTL.invokeExact(MemorySegment.ofArray(errno), fd, (long) FIONREAD, MemorySegment.ofArray(count));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (r != 0) {
            throw error("ioctl FIONREAD", fd, errno[0]);
        }
        return count[0];
    }

    /** Shuts down one direction ({@link #SHUT_RD}, {@link #SHUT_WR}); a socket no longer connected is not an error. */
    public static void shutdown(int fd, int how) throws IOException {
        int[] errno = new int[1];
        int r;
        try {
            r = (int) SHUTDOWN.invokeExact(MemorySegment.ofArray(errno), fd, how);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (r != 0 && errno[0] != Errno.ENOTCONN) {   // the peer is gone already
            throw error("shutdown", fd, errno[0]);
        }
    }

    /** Sets {@code TCP_NODELAY} on a TCP socket. */
    public static void setNoDelay(int fd, boolean on) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            value.set(ValueLayout.JAVA_INT, 0, on ? 1 : 0);
            if (LibCSockets.setsockopt(state, fd, IPPROTO_TCP, TCP_NODELAY, value, 4) != 0) {
                throw error("setsockopt TCP_NODELAY", fd, LibC.errno(state));
            }
        }
    }

    /** The JDK's words for a peer that went away, which callers recognise; the errno's name for the rest. */
    private static IOException error(String call, int fd, int errno) {
        return switch (errno) {
            case Errno.ECONNRESET -> new SocketException("Connection reset");
            case Errno.EPIPE -> new SocketException("Broken pipe");
            default -> LibC.error(call, "fd " + fd, errno);
        };
    }
}
