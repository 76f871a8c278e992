package dev.socketserver.internal.linux;

import dev.socketserver.UnixAddress;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Socket descriptors below the JDK's channels: the descriptor number of a listening
 * {@link ServerSocketChannel}, and {@code accept4} on it, so that a connection can be handed to a
 * child process as a plain descriptor without ever becoming a JDK channel.
 *
 * <p>The descriptor is found without reflection or {@code --add-opens}: among this process's
 * sockets ({@code /proc/self/fd}), it is the one that listens ({@code SO_ACCEPTCONN}) on the
 * channel's local address ({@code getsockname}). Two listeners on the same TCP address and port
 * ({@code SO_REUSEPORT}) are told apart by flipping {@code SO_REUSEADDR} on the channel for a moment
 * and seeing which descriptor follows.
 *
 * <p>Every method is static and safe from any thread; each call uses its own native memory.
 * Linux only.
 */
public final class SocketDescriptors {
    private static final Path OWN_DESCRIPTORS = Path.of("/proc/self/fd");
    private static final ValueLayout.OfShort BIG_ENDIAN_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * A connection taken by {@link #accept(int)}: its descriptor (blocking, close-on-exec) and both
     * ends' addresses. A TCP address is an {@link InetSocketAddress} (an IPv4 client of a dual-stack
     * listener appears as IPv4, as the JDK shows it); a Unix one is a {@link UnixDomainSocketAddress},
     * with an empty path for a client that did not bind, or a {@link UnixAddress} for an abstract name.
     */
    public record Accepted(int fd, SocketAddress remote, SocketAddress local) {
    }

    /** The process at the other end of a Unix socket, as the kernel saw it at {@code connect} ({@code SO_PEERCRED}). */
    public record PeerCredentials(int pid, int uid, int gid) {
    }

    private SocketDescriptors() {
    }

    /**
     * The descriptor number of a bound, listening channel. The number stays valid while the
     * channel is open; the channel still owns it and closes it.
     *
     * @throws IllegalArgumentException if the channel is not bound
     * @throws IOException if the channel is closed or its descriptor cannot be told apart from another
     */
    public static int fdOf(ServerSocketChannel channel) throws IOException {
        SocketAddress bound = channel.getLocalAddress();   // ClosedChannelException when closed
        Integer adopted = InheritedSockets.adoptedDescriptor(channel);
        if (adopted != null) {
            return adopted;
        }
        if (bound == null) {
            throw new IllegalArgumentException("the channel is not bound: bind it before asking for its descriptor");
        }
        List<Integer> candidates = socketsAt(bound, true);
        if (candidates.size() == 1) {
            return candidates.getFirst();
        }
        if (candidates.isEmpty()) {
            throw new IOException("no listening socket in /proc/self/fd is bound to " + bound);
        }
        if (!(bound instanceof InetSocketAddress)) {
            throw new IOException(candidates.size() + " listening sockets are bound to " + bound
                    + " (descriptors " + candidates + "); cannot tell which one is the channel's");
        }
        return disambiguate(channel, candidates, bound);
    }

    /**
     * The descriptor number of a bound datagram channel; see {@link #fdOf(ServerSocketChannel)}.
     *
     * @throws IOException if the channel is closed, or another datagram socket of this process is bound to the same address
     */
    public static int fdOf(DatagramChannel channel) throws IOException {
        SocketAddress bound = channel.getLocalAddress();
        if (bound == null) {
            throw new IllegalArgumentException("the channel is not bound: bind it before asking for its descriptor");
        }
        List<Integer> candidates = socketsAt(bound, false);
        if (candidates.size() != 1) {
            throw new IOException(candidates.size() + " datagram sockets of this process are bound to " + bound
                    + " (descriptors " + candidates + "); cannot tell which one is the channel's");
        }
        return candidates.getFirst();
    }

    /** The local address of a socket descriptor ({@code getsockname}). */
    public static SocketAddress localAddress(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment address = arena.allocate(LibCSockets.SOCKADDR_STORAGE_SIZE, 8);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, LibCSockets.SOCKADDR_STORAGE_SIZE);
            if (LibCSockets.getsockname(state, fd, address, length) != 0) {
                throw LibC.error("getsockname", "fd " + fd, LibC.errno(state));
            }
            return decode(address, length.get(ValueLayout.JAVA_INT, 0));
        }
    }

    /** The descriptors this process has open now, in increasing order (from {@code /proc/self/fd}). */
    static List<Integer> ownDescriptors() throws IOException {
        List<Integer> open = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(OWN_DESCRIPTORS)) {
            for (Path entry : fds) {
                try {
                    open.add(Integer.parseInt(entry.getFileName().toString()));
                } catch (NumberFormatException e) {
                    // not a descriptor number
                }
            }
        }
        open.sort(null);
        return open;
    }

    /** The descriptors of this process that are sockets, in increasing order. */
    static List<Integer> ownSockets() throws IOException {
        List<Integer> sockets = new ArrayList<>();
        for (int fd : ownDescriptors()) {
            try {
                if (Files.readSymbolicLink(OWN_DESCRIPTORS.resolve(Integer.toString(fd))).toString().startsWith("socket:[")) {
                    sockets.add(fd);
                }
            } catch (NoSuchFileException e) {
                // closed while we looked
            }
        }
        return sockets;
    }

    /** The sockets of this process bound to {@code bound}: listening stream sockets, or datagram sockets. */
    private static List<Integer> socketsAt(SocketAddress bound, boolean listening) throws IOException {
        List<Integer> found = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment address = arena.allocate(LibCSockets.SOCKADDR_STORAGE_SIZE, 8);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            for (int fd : ownSockets()) {
                boolean wanted = listening
                        ? intOption(state, fd, LibCSockets.SO_ACCEPTCONN) == 1
                        : intOption(state, fd, LibCSockets.SO_TYPE) == LibCSockets.SOCK_DGRAM;
                if (!wanted) {
                    continue;
                }
                length.set(ValueLayout.JAVA_INT, 0, LibCSockets.SOCKADDR_STORAGE_SIZE);
                if (LibCSockets.getsockname(state, fd, address, length) != 0) {
                    continue;
                }
                SocketAddress local = decodeOrNull(address, length.get(ValueLayout.JAVA_INT, 0));
                if (bound.equals(local)) {
                    found.add(fd);
                }
            }
        }
        return found;
    }

    /** Flips {@code SO_REUSEADDR} on the channel; the one candidate whose value follows is the channel's descriptor. */
    private static int disambiguate(ServerSocketChannel channel, List<Integer> candidates, SocketAddress bound) throws IOException {
        boolean original = channel.getOption(StandardSocketOptions.SO_REUSEADDR);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            int[] before = new int[candidates.size()];
            for (int i = 0; i < before.length; i++) {
                before[i] = intOption(state, candidates.get(i), LibCSockets.SO_REUSEADDR);
            }
            List<Integer> followed = new ArrayList<>();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, !original);   // harmless on a socket that is already bound
            try {
                for (int i = 0; i < before.length; i++) {
                    int after = intOption(state, candidates.get(i), LibCSockets.SO_REUSEADDR);
                    if ((after != 0) != (before[i] != 0)) {
                        followed.add(candidates.get(i));
                    }
                }
            } finally {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, original);
            }
            if (followed.size() != 1) {
                throw new IOException(candidates.size() + " listening sockets are bound to " + bound
                        + " (descriptors " + candidates + "); cannot tell which one is the channel's");
            }
            return followed.getFirst();
        }
    }

    /** An int-valued {@code SOL_SOCKET} option, or -1 if it cannot be read. */
    static int intOption(MemorySegment state, int fd, int option) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, 4);
            return LibCSockets.getsockopt(state, fd, LibCSockets.SOL_SOCKET, option, value, length) == 0 ? value.get(ValueLayout.JAVA_INT, 0) : -1;
        }
    }

    /**
     * Takes one pending connection from a listening descriptor with {@code accept4(SOCK_CLOEXEC)}.
     * The new descriptor is blocking and close-on-exec, and belongs to the caller, who must
     * {@link #close(int)} it (once it has been handed to a child, the parent's copy is closed at once).
     * On a non-blocking listener, such as a JDK channel after {@code configureBlocking(false)},
     * this never waits; on a blocking one it waits for a client (and holds a virtual thread's carrier).
     *
     * @return the connection, or {@code null} if none is pending (or a client gave up before it was taken)
     * @throws IOException with the errno's name, such as {@code EMFILE} when out of descriptors
     */
    public static Accepted accept(int listeningFd) throws IOException {
        return accept(listeningFd, LibCSockets.SOCK_CLOEXEC);
    }

    /** Like {@link #accept(int)}, but the new descriptor is non-blocking ({@code SOCK_NONBLOCK}). */
    public static Accepted acceptNonBlocking(int listeningFd) throws IOException {
        return accept(listeningFd, LibCSockets.SOCK_CLOEXEC | LibCSockets.SOCK_NONBLOCK);
    }

    private static Accepted accept(int listeningFd, int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment address = arena.allocate(LibCSockets.SOCKADDR_STORAGE_SIZE, 8);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            int fd;
            while (true) {
                length.set(ValueLayout.JAVA_INT, 0, LibCSockets.SOCKADDR_STORAGE_SIZE);
                fd = LibCSockets.accept4(state, listeningFd, address, length, flags);
                if (fd >= 0) {
                    break;
                }
                int errno = LibC.errno(state);
                if (errno == Errno.EINTR) {
                    continue;
                }
                if (errno == Errno.EAGAIN || errno == Errno.ECONNABORTED) {
                    return null;
                }
                throw LibC.error("accept4", "fd " + listeningFd, errno);
            }
            try {
                SocketAddress remote = decode(address, length.get(ValueLayout.JAVA_INT, 0));
                length.set(ValueLayout.JAVA_INT, 0, LibCSockets.SOCKADDR_STORAGE_SIZE);
                if (LibCSockets.getsockname(state, fd, address, length) != 0) {
                    throw LibC.error("getsockname", "fd " + fd, LibC.errno(state));
                }
                SocketAddress local = decode(address, length.get(ValueLayout.JAVA_INT, 0));
                return new Accepted(fd, remote, local);
            } catch (IOException | RuntimeException e) {
                LibC.close(state, fd);
                throw e;
            }
        }
    }

    /** The credentials of the process that connected a Unix socket, or {@code null} if the socket has none (TCP). */
    public static PeerCredentials peerCredentials(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment ucred = arena.allocate(12, 4);   // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, 12);
            if (LibCSockets.getsockopt(state, fd, LibCSockets.SOL_SOCKET, LibCSockets.SO_PEERCRED, ucred, length) != 0
                    || ucred.get(ValueLayout.JAVA_INT, 0) <= 0) {
                return null;
            }
            return new PeerCredentials(ucred.get(ValueLayout.JAVA_INT, 0), ucred.get(ValueLayout.JAVA_INT, 4), ucred.get(ValueLayout.JAVA_INT, 8));
        }
    }

    /**
     * Closes a descriptor. It is closed even when this throws (Linux frees the number whatever
     * {@code close} reports), so never retry.
     *
     * @throws IOException with the errno's name, such as {@code EBADF} for a descriptor that was not open
     */
    public static void close(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            if (LibC.close(state, fd) != 0) {
                int errno = LibC.errno(state);
                if (errno != Errno.EINTR) {
                    throw LibC.error("close", "fd " + fd, errno);
                }
            }
        }
    }

    private static SocketAddress decodeOrNull(MemorySegment sockaddr, int length) {
        try {
            return decode(sockaddr, length);
        } catch (IOException e) {
            return null;
        }
    }

    /** A {@code sockaddr_in}, {@code sockaddr_in6} or {@code sockaddr_un} as a JDK address. */
    static SocketAddress decode(MemorySegment sockaddr, int length) throws IOException {
        if (length < 2) {
            return UnixDomainSocketAddress.of("");   // an unnamed Unix peer may report no family at all
        }
        int family = LibCSockets.family(sockaddr);
        switch (family) {
            case LibCSockets.AF_INET -> {
                int port = Short.toUnsignedInt(sockaddr.get(BIG_ENDIAN_SHORT, 2));
                byte[] ip = sockaddr.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            }
            case LibCSockets.AF_INET6 -> {
                int port = Short.toUnsignedInt(sockaddr.get(BIG_ENDIAN_SHORT, 2));
                byte[] ip = sockaddr.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
                int scope = sockaddr.get(ValueLayout.JAVA_INT_UNALIGNED, 24);
                // an IPv4-mapped address (a v4 client of a dual-stack listener) becomes an Inet4Address, as in the JDK
                InetAddress address = InetAddress.getByAddress(ip);
                if (address instanceof Inet6Address && scope != 0) {
                    address = Inet6Address.getByAddress(null, ip, scope);
                }
                return new InetSocketAddress(address, port);
            }
            case LibCSockets.AF_UNIX -> {
                if (length <= LibCSockets.SUN_PATH_OFFSET) {
                    return UnixDomainSocketAddress.of("");
                }
                if (sockaddr.get(ValueLayout.JAVA_BYTE, LibCSockets.SUN_PATH_OFFSET) == 0) {
                    if (length == LibCSockets.SUN_PATH_OFFSET + 1) {
                        return UnixDomainSocketAddress.of("");   // an empty abstract name: as good as unnamed
                    }
                    byte[] name = sockaddr.asSlice(LibCSockets.SUN_PATH_OFFSET + 1, length - LibCSockets.SUN_PATH_OFFSET - 1)
                            .toArray(ValueLayout.JAVA_BYTE);
                    return UnixAddress.ofAbstract(new String(name, StandardCharsets.UTF_8));
                }
                int end = LibCSockets.SUN_PATH_OFFSET;
                while (end < length && sockaddr.get(ValueLayout.JAVA_BYTE, end) != 0) {
                    end++;
                }
                byte[] path = sockaddr.asSlice(LibCSockets.SUN_PATH_OFFSET, end - LibCSockets.SUN_PATH_OFFSET).toArray(ValueLayout.JAVA_BYTE);
                return UnixDomainSocketAddress.of(new String(path, StandardCharsets.UTF_8));
            }
            default -> throw new IOException("unexpected address family " + family);
        }
    }
}
