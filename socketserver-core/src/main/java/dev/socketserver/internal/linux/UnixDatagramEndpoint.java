package dev.socketserver.internal.linux;

import dev.socketserver.UnixAddress;
import dev.socketserver.internal.SocketFiles;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An AF_UNIX datagram socket through libc: the part the JDK lacks. One instance per socket, with
 * one arena that holds all of its native memory; nothing native is allocated per datagram.
 *
 * <p>Receiving is for one thread at a time (the serving thread, or a client's reader) and is
 * guarded by a lock; sending may happen from any thread, one at a time through a second lock and
 * buffer. Waiting for a datagram is a {@code poll} on the socket and an eventfd, so
 * {@link #wakeUp()} and {@link #close()} end a wait at once. The socket is non-blocking for
 * receives; sends block up to a send timeout when the receiver's queue is full.
 */
public final class UnixDatagramEndpoint implements Closeable {
    private static final int SO_SNDTIMEO = 21;
    private static final int SEND_TIMEOUT_SECONDS = 5;
    private static final int INITIAL_SEND_BUFFER = 64 * 1024;

    /** One datagram taken off the socket. {@code sender} is null for an unnamed sender. */
    public record Received(byte[] data, UnixAddress sender, boolean truncated) {
    }

    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final int wakeFd;
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final ReentrantLock sendLock = new ReentrantLock();
    // receive side, guarded by receiveLock
    private final MemorySegment receiveState = LibC.newCallState(arena);
    private final MemorySegment receiveAddress = arena.allocate(LibCSockets.SOCKADDR_UN_SIZE);
    private final MemorySegment receiveAddressLength = arena.allocate(ValueLayout.JAVA_INT);
    private final MemorySegment pollFds = arena.allocate(2L * LibC.POLLFD_SIZE, 4);
    private final MemorySegment wakeValue = arena.allocate(ValueLayout.JAVA_LONG);
    private MemorySegment receiveBuffer = MemorySegment.NULL;
    // send side, guarded by sendLock
    private final MemorySegment sendState = LibC.newCallState(arena);
    private final MemorySegment sendAddress = arena.allocate(LibCSockets.SOCKADDR_UN_SIZE);
    private MemorySegment sendBuffer;

    private volatile boolean closed;
    private volatile UnixAddress boundAddress;
    private volatile boolean ownsFile;

    private UnixDatagramEndpoint(int fd, int wakeFd) {
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.sendBuffer = arena.allocate(INITIAL_SEND_BUFFER);
        pollFds.set(ValueLayout.JAVA_INT, 0, fd);
        pollFds.set(ValueLayout.JAVA_SHORT, 4, LibC.POLLIN);
        pollFds.set(ValueLayout.JAVA_INT, LibC.POLLFD_SIZE, wakeFd);
        pollFds.set(ValueLayout.JAVA_SHORT, LibC.POLLFD_SIZE + 4, LibC.POLLIN);
    }

    /** A new, unbound socket. */
    public static UnixDatagramEndpoint open() throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(scratch);
            int fd = LibCSockets.socket(state, LibCSockets.AF_UNIX, LibCSockets.SOCK_DGRAM | LibCSockets.SOCK_NONBLOCK | LibCSockets.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw LibC.error("socket", "unixgram", LibC.errno(state));
            }
            int wakeFd = LibC.eventfd(state, 0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
            if (wakeFd < 0) {
                int errno = LibC.errno(state);
                LibC.close(state, fd);
                throw LibC.error("eventfd", "", errno);
            }
            MemorySegment timeout = scratch.allocate(16, 8);   // struct timeval { long tv_sec; long tv_usec; }
            timeout.set(ValueLayout.JAVA_LONG, 0, SEND_TIMEOUT_SECONDS);
            UnixDatagramEndpoint endpoint = new UnixDatagramEndpoint(fd, wakeFd);
            endpoint.setSendTimeout(state, timeout);
            return endpoint;
        }
    }

    private void setSendTimeout(MemorySegment state, MemorySegment timeval) {
        // best effort: without it a send to a full receiver fails at once with EAGAIN instead of waiting
        LibCSockets.setsockopt(state, fd, LibCSockets.SOL_SOCKET, SO_SNDTIMEO, timeval, (int) timeval.byteSize());
    }

    /**
     * Binds to {@code address}. For a path: a stale socket file is replaced, a live socket or a
     * file that is not a socket is refused, and {@code permissions} (if not null) are in place
     * before any client can send (set on the socket before the bind, and on the file after).
     */
    public void bind(UnixAddress address, Set<PosixFilePermission> permissions) throws IOException {
        String target = "unixgram:" + address;
        if (!address.isAbstract()) {
            prepareSocketFile(address.path(), target);
        }
        receiveLock.lock();
        try {
            requireOpen();
            if (permissions != null && !address.isAbstract()) {
                if (LibCSockets.fchmod(receiveState, fd, UnixSockaddr.mode(permissions)) != 0) {
                    throw LibC.error("fchmod", target, LibC.errno(receiveState));
                }
            }
            int length = UnixSockaddr.encode(address, receiveAddress);
            if (LibCSockets.bind(receiveState, fd, receiveAddress, length) != 0) {
                throw LibC.error("bind", target, LibC.errno(receiveState));
            }
            ownsFile = !address.isAbstract();
            if (permissions != null && !address.isAbstract()) {
                Files.setPosixFilePermissions(address.path(), permissions);   // the bind applied the umask too
            }
            boundAddress = localAddressLocked();
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * Serves the socket a service manager passed to this process at {@code address}, if it passed
     * one (systemd's socket activation), instead of binding: the inherited socket replaces this
     * endpoint's own, and its file stays the service manager's.
     *
     * @return whether it did
     */
    public boolean adoptInherited(UnixAddress address) throws IOException {
        Optional<InheritedSockets.Inherited> inherited = InheritedSockets.take(address);
        if (inherited.isEmpty()) {
            return false;
        }
        receiveLock.lock();
        try {
            requireOpen();
            int from = inherited.get().fd();
            if (LibC.dup3(receiveState, from, fd, LibC.O_CLOEXEC) < 0) {
                throw LibC.error("dup3", "unixgram:" + address, LibC.errno(receiveState));
            }
            LibC.close(receiveState, from);
            int flags = LibC.fcntl(receiveState, fd, LibC.F_GETFL, 0);
            if (flags >= 0 && (flags & LibC.O_NONBLOCK) == 0) {
                LibC.fcntl(receiveState, fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK);   // receives here never block
            }
            ownsFile = InheritedSockets.fromPredecessor();   // systemd keeps its file; a predecessor's is ours now
            boundAddress = localAddressLocked();
            return true;
        } finally {
            receiveLock.unlock();
        }
    }

    /** Binds to a fresh abstract name that the kernel picks (Linux's autobind), so replies can reach this socket. */
    public void autobind() throws IOException {
        receiveLock.lock();
        try {
            requireOpen();
            receiveAddress.fill((byte) 0);
            receiveAddress.set(ValueLayout.JAVA_SHORT, 0, (short) LibCSockets.AF_UNIX);
            if (LibCSockets.bind(receiveState, fd, receiveAddress, 2) != 0) {
                throw LibC.error("bind", "unixgram (autobind)", LibC.errno(receiveState));
            }
            boundAddress = localAddressLocked();
        } finally {
            receiveLock.unlock();
        }
    }

    private static void prepareSocketFile(Path path, String target) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("bind " + target + ": ENOENT (directory " + parent + " does not exist)");
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!SocketFiles.isSocket(path)) {
            throw new BindException("bind " + target + ": the path exists and is not a socket; refusing to replace it");
        }
        try (UnixDatagramEndpoint probe = open()) {
            probe.connect(UnixAddress.of(path));
            throw new BindException("bind " + target + ": EADDRINUSE (a live server is bound to this socket)");
        } catch (ConnectException stale) {
            Files.deleteIfExists(path);   // nobody is bound to it: a dead server left it
        }
    }

    /** Connects to {@code address}, so that only it may send here; used to probe whether a socket file is live. */
    void connect(UnixAddress address) throws IOException {
        sendLock.lock();
        try {
            requireOpen();
            int length = UnixSockaddr.encode(address, sendAddress);
            if (LibCSockets.connect(sendState, fd, sendAddress, length) != 0) {
                throw LibC.error("connect", "unixgram:" + address, LibC.errno(sendState));
            }
        } finally {
            sendLock.unlock();
        }
    }

    /** The bound address, or null if unbound. */
    public UnixAddress localAddress() {
        return boundAddress;
    }

    private UnixAddress localAddressLocked() throws IOException {
        receiveAddressLength.set(ValueLayout.JAVA_INT, 0, LibCSockets.SOCKADDR_UN_SIZE);
        if (LibCSockets.getsockname(receiveState, fd, receiveAddress, receiveAddressLength) != 0) {
            throw LibC.error("getsockname", "unixgram", LibC.errno(receiveState));
        }
        return UnixSockaddr.decode(receiveAddress, receiveAddressLength.get(ValueLayout.JAVA_INT, 0));
    }

    /**
     * Waits up to {@code timeoutNanos} ({@link Long#MAX_VALUE}: no limit) until a datagram is
     * waiting, {@link #wakeUp()} is called, or the socket is closed.
     *
     * @return whether a datagram is waiting
     */
    public boolean awaitReadable(long timeoutNanos) throws IOException {
        receiveLock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            int millis = timeoutNanos == Long.MAX_VALUE ? -1
                    : (int) Math.min(Integer.MAX_VALUE, Math.max(1, (timeoutNanos + 999_999) / 1_000_000));
            pollFds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
            pollFds.set(ValueLayout.JAVA_SHORT, LibC.POLLFD_SIZE + 6, (short) 0);
            int ready = LibC.poll(receiveState, pollFds, 2, millis);
            if (ready < 0) {
                int errno = LibC.errno(receiveState);
                if (errno == Errno.EINTR) {
                    return false;
                }
                throw LibC.error("poll", "unixgram:" + boundAddress, errno);
            }
            if (closed) {
                throw new ClosedChannelException();
            }
            if (pollFds.get(ValueLayout.JAVA_SHORT, LibC.POLLFD_SIZE + 6) != 0) {
                LibC.eventfdRead(receiveState, wakeFd, wakeValue);   // consume the wake-up
            }
            return pollFds.get(ValueLayout.JAVA_SHORT, 6) != 0;
        } finally {
            receiveLock.unlock();
        }
    }

    /** Makes a current or the next {@link #awaitReadable} return at once. */
    public void wakeUp() {
        if (!closed) {
            try (Arena scratch = Arena.ofConfined()) {
                LibC.eventfdWrite(LibC.newCallState(scratch), wakeFd, 1);
            }
        }
    }

    /**
     * Takes one datagram without waiting, keeping at most {@code maxSize} bytes of it.
     *
     * @return the datagram, or null if none is waiting
     */
    public Received receive(int maxSize) throws IOException {
        receiveLock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (receiveBuffer.byteSize() < maxSize) {
                receiveBuffer = arena.allocate(maxSize);   // grows only when the limit is raised
            }
            receiveAddressLength.set(ValueLayout.JAVA_INT, 0, LibCSockets.SOCKADDR_UN_SIZE);
            long length = LibCSockets.recvfrom(receiveState, fd, receiveBuffer, maxSize, LibCSockets.MSG_TRUNC | LibCSockets.MSG_DONTWAIT,
                    receiveAddress, receiveAddressLength);
            if (length < 0) {
                int errno = LibC.errno(receiveState);
                if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                    return null;
                }
                throw LibC.error("recvfrom", "unixgram:" + boundAddress, errno);
            }
            int kept = (int) Math.min(length, maxSize);
            byte[] data = receiveBuffer.asSlice(0, kept).toArray(ValueLayout.JAVA_BYTE);
            UnixAddress sender = UnixSockaddr.decode(receiveAddress, receiveAddressLength.get(ValueLayout.JAVA_INT, 0));
            return new Received(data, sender, length > maxSize);
        } finally {
            receiveLock.unlock();
        }
    }

    /** Sends the remaining bytes of {@code datagram} to {@code target} as one datagram. Safe from any thread. */
    public void send(ByteBuffer datagram, UnixAddress target) throws IOException {
        sendLock.lock();
        try {
            requireOpen();
            int size = datagram.remaining();
            if (sendBuffer.byteSize() < size) {
                sendBuffer = arena.allocate(Math.max(size, sendBuffer.byteSize() * 2));
            }
            MemorySegment.copy(MemorySegment.ofBuffer(datagram), 0, sendBuffer, 0, size);
            int addressLength = UnixSockaddr.encode(target, sendAddress);
            long sent = LibCSockets.sendto(sendState, fd, sendBuffer, size, 0, sendAddress, addressLength);
            if (sent < 0) {
                int errno = LibC.errno(sendState);
                if (errno == Errno.ENOENT || errno == Errno.ECONNREFUSED) {
                    // nobody at the destination any more (the socket file is gone, or nothing is bound to it): a typed error,
                    // so that a server can tell a sender that went away from its own failure
                    throw new java.net.PortUnreachableException("sendto unixgram:" + target + ": " + Errno.name(errno)
                            + " (" + LibC.strerror(errno) + ")");
                }
                throw LibC.error("sendto", "unixgram:" + target, errno);
            }
            datagram.position(datagram.position() + size);
        } finally {
            sendLock.unlock();
        }
    }

    private void requireOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Closes the socket, ends a wait in another thread, and removes the socket file this endpoint bound. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena scratch = Arena.ofConfined()) {
            LibC.eventfdWrite(LibC.newCallState(scratch), wakeFd, 1);   // ends a poll in progress, and every later one
        }
        receiveLock.lock();
        sendLock.lock();
        try {
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment state = LibC.newCallState(scratch);
                LibC.close(state, fd);
                LibC.close(state, wakeFd);
            }
            arena.close();
            UnixAddress bound = boundAddress;
            if (ownsFile && bound != null && !Handover.handedOver(bound.path())) {   // else a successor serves it
                ownsFile = false;
                Files.deleteIfExists(bound.path());
            }
        } finally {
            sendLock.unlock();
            receiveLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "unixgram:" + (boundAddress == null ? "(unbound)" : boundAddress) + (closed ? " (closed)" : "");
    }
}
