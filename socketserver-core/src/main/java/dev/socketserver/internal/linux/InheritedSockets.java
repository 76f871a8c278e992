package dev.socketserver.internal.linux;

import dev.socketserver.UnixAddress;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * The sockets a service manager passed to this process (systemd's socket activation:
 * {@code LISTEN_PID}, {@code LISTEN_FDS}, {@code LISTEN_FDNAMES}, descriptors from 3 on), read
 * once, as {@code sd_listen_fds} reads them: only when {@code LISTEN_PID} is this process, each
 * descriptor made close-on-exec, and the variables removed from the environment afterwards so
 * that children do not take them for their own.
 *
 * <p>A server binds an inherited socket by <em>adopting</em> it: the JDK cannot make a channel
 * from a descriptor number (its {@code System.inheritedChannel()} looks at descriptor 0 only), so
 * the server's own channel is bound to a throwaway loopback address, and the inherited socket is
 * then duplicated onto the channel's descriptor ({@code dup3}), which closes the throwaway
 * socket. From then on the channel is the inherited socket in everything but the address it
 * cached, which is why the server asks the descriptor for its address.
 */
public final class InheritedSockets {
    public static final String LISTEN_PID = "LISTEN_PID";
    public static final String LISTEN_FDS = "LISTEN_FDS";
    public static final String LISTEN_FDNAMES = "LISTEN_FDNAMES";
    /**
     * Set instead of {@code LISTEN_PID} by a server that hands its sockets to its successor
     * ({@link Handover}): the pid of the parent the sockets come from. A spawner cannot know the
     * child's pid before the spawn, so it names itself, and the child checks that it is its parent.
     */
    public static final String HANDOVER_PARENT_PID = "SOCKETSERVER_LISTEN_PARENT_PID";
    private static final int FIRST_FD = 3;

    /** What an inherited descriptor is. */
    public enum Kind {
        /** A listening TCP socket. */
        TCP,
        /** A bound UDP socket. */
        UDP,
        /** A listening Unix stream socket. */
        UNIX_STREAM,
        /** A bound Unix datagram socket. */
        UNIX_DATAGRAM,
        /** A connected stream socket: one connection, as {@code Accept=yes} passes it. */
        CONNECTION,
        /** Anything else: not a socket, or a socket this library does not serve (a FIFO, netlink, a sequenced-packet socket). */
        OTHER
    }

    /**
     * One inherited descriptor.
     *
     * @param address where it is bound ({@link InetSocketAddress}, {@link UnixDomainSocketAddress} for
     *     a Unix stream socket, {@link UnixAddress} for a Unix datagram socket), or null for {@link Kind#OTHER}
     * @param description what it is, for messages: {@code "a connected stream socket"}
     */
    public record Inherited(int fd, String name, Kind kind, SocketAddress address, boolean ipv6, String description) {
    }

    private static List<Inherited> passed;
    private static boolean handedOver;   // guarded by InheritedSockets.class: the sockets come from a predecessor, not systemd
    private static final List<Integer> adopted = new ArrayList<>();
    // the descriptor of each channel that adopted a socket: its cached address is the throwaway one, so fdOf cannot find it there
    private static final Map<Channel, Integer> adoptingChannels = Collections.synchronizedMap(new WeakHashMap<>());

    private InheritedSockets() {
    }

    /** The sockets passed to this process, in descriptor order; empty when none were (or they were for another process). */
    public static synchronized List<Inherited> all() throws IOException {
        if (passed == null) {
            Map<String, String> environment = System.getenv();
            long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
            handedOver = !environment.containsKey(LISTEN_PID) && Long.toString(parent).equals(environment.get(HANDOVER_PARENT_PID));
            passed = read(environment, handedOver ? parent : ProcessHandle.current().pid(), handedOver ? HANDOVER_PARENT_PID : LISTEN_PID);
            if (environment.containsKey(LISTEN_FDS)) {   // else nothing to forget, and no need to load the native calls
                forgetEnvironment();
            }
        }
        return passed;
    }

    /**
     * Whether the sockets were handed over by a predecessor ({@link Handover}) rather than passed by
     * systemd: a Unix socket's file is then this process's to remove when it stops, as it was the
     * predecessor's.
     */
    public static synchronized boolean fromPredecessor() throws IOException {
        all();
        return handedOver;
    }

    /** Why {@link #all()} is empty, in one sentence, for an error message. */
    public static String whyNone() {
        Map<String, String> environment = System.getenv();
        String fds = environment.get(LISTEN_FDS);
        String pid = environment.get(LISTEN_PID);
        if (fds == null) {
            return LISTEN_FDS + " is not set: this process was not started by systemd's socket activation "
                    + "(try systemd-socket-activate -l ADDRESS COMMAND)";
        }
        if (pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid()))) {
            return LISTEN_PID + "=" + pid + " is another process (this one is " + ProcessHandle.current().pid() + ")";
        }
        return LISTEN_FDS + "=" + fds + " passes no socket";
    }

    /** The inherited socket of {@code kind} (listening or bound) at {@code requested}, not yet adopted. */
    public static synchronized Optional<Inherited> find(SocketAddress requested, boolean stream) throws IOException {
        for (Inherited socket : all()) {
            boolean kindFits = stream
                    ? socket.kind() == Kind.TCP || socket.kind() == Kind.UNIX_STREAM
                    : socket.kind() == Kind.UDP || socket.kind() == Kind.UNIX_DATAGRAM;
            if (kindFits && !adopted.contains(socket.fd())
                    && (sameEndpoint(requested, socket.address()) || handedOver && anyPortOfTheSameHost(requested, socket.address()))) {
                return Optional.of(socket);
            }
        }
        return Optional.empty();
    }

    /**
     * The family a channel for {@code requested} should be opened with: an inherited socket's own
     * (a wildcard address of systemd is usually IPv6), else {@code fallback}.
     */
    public static synchronized ProtocolFamily family(SocketAddress requested, ProtocolFamily fallback) throws IOException {
        for (Inherited socket : all()) {
            if (socket.address() instanceof InetSocketAddress && sameEndpoint(requested, socket.address())) {
                return socket.ipv6() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            }
        }
        return fallback;
    }

    /**
     * Makes {@code channel} (open, unbound) the inherited listening socket at {@code requested},
     * if there is one.
     *
     * @return the socket's address, or empty if no inherited socket is bound there (bind as usual)
     */
    public static Optional<SocketAddress> adopt(ServerSocketChannel channel, SocketAddress requested) throws IOException {
        Optional<Inherited> found = find(requested, true);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Inherited socket = found.get();
        requireNotServed(socket);
        transplant(channel, socket.fd(), socket.kind() == Kind.UNIX_STREAM ? null : loopbackFor(socket));
        adopted.add(socket.fd());
        return Optional.of(socket.address());
    }

    /**
     * Makes {@code channel} (open, unbound) the listening socket {@code fd}, which this process
     * owns, and closes {@code fd}: the JDK makes channels only by binding or from descriptor 0, so
     * the channel binds a throwaway socket (a file in a private directory, removed at once, for a
     * Unix socket; {@code loopback} port 0 for an IP one), which the listener then replaces at the
     * same descriptor number.
     *
     * @param loopback where an IP channel binds its throwaway socket; null for a Unix stream socket
     */
    static synchronized void transplant(ServerSocketChannel channel, int fd, InetAddress loopback) throws IOException {
        Path throwawayDirectory = null;
        if (loopback == null) {
            throwawayDirectory = Files.createTempDirectory("socketserver-adopt");
            channel.bind(UnixDomainSocketAddress.of(throwawayDirectory.resolve("s")), 1);
        } else {
            channel.bind(new InetSocketAddress(loopback, 0), 1);
        }
        try {
            int channelFd = SocketDescriptors.fdOf(channel);
            dupOnto(fd, channelFd);
            adoptingChannels.put(channel, channelFd);
        } finally {
            if (throwawayDirectory != null) {
                Files.deleteIfExists(throwawayDirectory.resolve("s"));
                Files.deleteIfExists(throwawayDirectory);
            }
        }
    }

    /** Makes {@code channel} (open, unbound) the inherited UDP socket at {@code requested}, if there is one. */
    public static Optional<SocketAddress> adopt(DatagramChannel channel, SocketAddress requested) throws IOException {
        Optional<Inherited> found = find(requested, false);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        channel.bind(new InetSocketAddress(loopbackFor(found.get()), 0));
        int fd = SocketDescriptors.fdOf(channel);
        replace(fd, found.get());
        adoptingChannels.put(channel, fd);
        return Optional.of(found.get().address());
    }

    /**
     * Whether systemd passed exactly one connected socket ({@code Accept=yes}: a process per
     * connection) and it is now this process's standard input, where
     * {@code System.inheritedChannel()} finds it. Call before anything asks for the inherited channel.
     */
    public static synchronized boolean connectionOnStandardInput() throws IOException {
        List<Inherited> sockets = all();
        if (sockets.size() != 1 || sockets.getFirst().kind() != Kind.CONNECTION || adopted.contains(sockets.getFirst().fd())) {
            return false;
        }
        int fd = sockets.getFirst().fd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            if (LibC.dup3(state, fd, 0, 0) < 0) {
                throw LibC.error("dup3", "inherited connection fd " + fd, LibC.errno(state));
            }
            LibC.close(state, fd);
        }
        adopted.add(fd);
        return true;
    }

    /** The descriptor of {@code channel} if it adopted an inherited socket; else null. */
    static Integer adoptedDescriptor(Channel channel) {
        return adoptingChannels.get(channel);
    }

    /** Takes the inherited Unix datagram socket at {@code requested}, if there is one: its descriptor is the caller's from now on. */
    public static synchronized Optional<Inherited> take(UnixAddress requested) throws IOException {
        Optional<Inherited> found = find(requested, false).filter(socket -> socket.kind() == Kind.UNIX_DATAGRAM);
        found.ifPresent(socket -> adopted.add(socket.fd()));
        return found;
    }

    /** Where the throwaway socket binds: the loopback address of the channel's family, which {@link #family} chose. */
    private static InetAddress loopbackFor(Inherited socket) throws IOException {
        return InetAddress.getByName(socket.ipv6() ? "::1" : "127.0.0.1");
    }

    /** Duplicates the inherited socket onto {@code channelFd} (closing the throwaway socket there), then closes the inherited number. */
    private static synchronized void replace(int channelFd, Inherited socket) throws IOException {
        requireNotServed(socket);
        dupOnto(socket.fd(), channelFd);
        adopted.add(socket.fd());
    }

    private static synchronized void requireNotServed(Inherited socket) throws IOException {
        if (adopted.contains(socket.fd())) {
            throw new IOException("the inherited socket " + socket.address() + " (descriptor " + socket.fd() + ") is served already");
        }
    }

    /** Makes {@code channelFd} a duplicate of {@code fd}, blocking as a fresh JDK channel is (unless handed over), then closes {@code fd}. */
    private static synchronized void dupOnto(int fd, int channelFd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            if (LibC.dup3(state, fd, channelFd, LibC.O_CLOEXEC) < 0) {
                throw LibC.error("dup3", "fd " + fd, LibC.errno(state));
            }
            int flags = LibC.fcntl(state, channelFd, LibC.F_GETFL, 0);
            // a predecessor's socket is shared with the predecessor, whose event loop needs it non-blocking
            // while it drains; the JDK's blocking accept waits out EAGAIN, so it is left as it is
            if (flags >= 0 && (flags & LibC.O_NONBLOCK) != 0 && !handedOver) {
                LibC.fcntl(state, channelFd, LibC.F_SETFL, flags & ~LibC.O_NONBLOCK);   // a fresh JDK channel is blocking
            }
            LibC.close(state, fd);
        }
    }

    /**
     * Whether {@code requested} asks for any port (0) on the host where {@code actual} is bound: a
     * successor started with its predecessor's command line ({@code --listen tcp://127.0.0.1:0})
     * serves the port its predecessor was given.
     */
    private static boolean anyPortOfTheSameHost(SocketAddress requested, SocketAddress actual) {
        return requested instanceof InetSocketAddress want && actual instanceof InetSocketAddress have
                && want.getPort() == 0 && !want.isUnresolved() && want.getAddress().equals(have.getAddress());
    }

    /** Whether a server asked for {@code requested} should serve a socket bound at {@code actual}. */
    static boolean sameEndpoint(SocketAddress requested, SocketAddress actual) {
        if (requested == null || actual == null) {
            return false;
        }
        if (requested.equals(actual)) {
            return true;
        }
        if (requested instanceof InetSocketAddress want && actual instanceof InetSocketAddress have) {
            return want.getPort() == have.getPort() && !want.isUnresolved()
                    && want.getAddress().isAnyLocalAddress() && have.getAddress().isAnyLocalAddress();
        }
        Path wantPath = pathOf(requested);
        Path havePath = pathOf(actual);
        return wantPath != null && wantPath.equals(havePath);
    }

    private static Path pathOf(SocketAddress address) {
        return switch (address) {
            case UnixDomainSocketAddress unix -> unix.getPath().toAbsolutePath().normalize();
            case UnixAddress unix when !unix.isAbstract() -> unix.path().toAbsolutePath().normalize();
            default -> null;
        };
    }

    /** Reads the descriptors {@code environment} passes to process {@code pid}; see {@code sd_listen_fds(3)}. */
    static List<Inherited> read(Map<String, String> environment, long pid) throws IOException {
        return read(environment, pid, LISTEN_PID);
    }

    /** {@link #read(Map, long)}, with the pid in {@code pidVariable}: {@code LISTEN_PID}, or {@link #HANDOVER_PARENT_PID} naming the parent. */
    private static List<Inherited> read(Map<String, String> environment, long pid, String pidVariable) throws IOException {
        String pidText = environment.get(pidVariable);
        String fdsText = environment.get(LISTEN_FDS);
        if (pidText == null || fdsText == null || !pidText.equals(Long.toString(pid))) {
            return List.of();
        }
        int count;
        try {
            count = Integer.parseInt(fdsText);
        } catch (NumberFormatException e) {
            throw new IOException(LISTEN_FDS + "=" + fdsText + " is not a number");
        }
        if (count < 0 || count > 1024) {
            throw new IOException(LISTEN_FDS + "=" + fdsText + " is out of range");
        }
        String namesText = environment.get(LISTEN_FDNAMES);
        String[] names = namesText == null ? new String[0] : namesText.split(":", -1);
        List<Inherited> sockets = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            for (int i = 0; i < count; i++) {
                int fd = FIRST_FD + i;
                if (LibC.fcntl(state, fd, LibC.F_SETFD, LibC.FD_CLOEXEC) < 0) {
                    throw LibC.error("fcntl(F_SETFD)", "inherited fd " + fd, LibC.errno(state));
                }
                String name = i < names.length && !names[i].isEmpty() ? names[i] : "unknown";   // systemd's default name
                sockets.add(describe(fd, name));
            }
        }
        return List.copyOf(sockets);
    }

    /** What descriptor {@code fd} of this process is, under {@code name}. */
    static Inherited describe(int fd, String name) {
        int type;
        try (Arena arena = Arena.ofConfined()) {
            type = SocketDescriptors.intOption(LibC.newCallState(arena), fd, LibCSockets.SO_TYPE);
        }
        if (type < 0) {
            return new Inherited(fd, name, Kind.OTHER, null, false, "not a socket");
        }
        int domain;
        boolean listening;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            domain = SocketDescriptors.intOption(state, fd, LibCSockets.SO_DOMAIN);
            listening = SocketDescriptors.intOption(state, fd, LibCSockets.SO_ACCEPTCONN) == 1;
        }
        SocketAddress address;
        try {
            address = SocketDescriptors.localAddress(fd);
        } catch (IOException e) {
            return new Inherited(fd, name, Kind.OTHER, null, false, "a socket of family " + domain);
        }
        boolean inet = domain == LibCSockets.AF_INET || domain == LibCSockets.AF_INET6;
        boolean unix = domain == LibCSockets.AF_UNIX;
        boolean ipv6 = domain == LibCSockets.AF_INET6;
        if (type == LibCSockets.SOCK_STREAM && !listening && (inet || unix)) {
            return new Inherited(fd, name, Kind.CONNECTION, address, ipv6, "a connected stream socket");
        }
        if (type == LibCSockets.SOCK_STREAM && inet) {
            return new Inherited(fd, name, Kind.TCP, address, ipv6, "a TCP socket");
        }
        if (type == LibCSockets.SOCK_STREAM && unix && (address instanceof UnixDomainSocketAddress || address instanceof UnixAddress)) {
            return new Inherited(fd, name, Kind.UNIX_STREAM, address, false, "a Unix stream socket");   // UnixAddress: an abstract name
        }
        if (type == LibCSockets.SOCK_DGRAM && inet) {
            return new Inherited(fd, name, Kind.UDP, address, ipv6, "a UDP socket");
        }
        if (type == LibCSockets.SOCK_DGRAM && unix) {
            SocketAddress unixAddress = address instanceof UnixDomainSocketAddress path && !path.getPath().toString().isEmpty()
                    ? UnixAddress.of(path.getPath()) : address;
            return new Inherited(fd, name, Kind.UNIX_DATAGRAM, unixAddress, false, "a Unix datagram socket");
        }
        String what = type == LibCSockets.SOCK_STREAM ? "stream" : type == LibCSockets.SOCK_DGRAM ? "datagram" : "type " + type;
        return new Inherited(fd, name, Kind.OTHER, address, ipv6,
                "a " + what + " socket of family " + domain);
    }

    private static void forgetEnvironment() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            for (String variable : List.of(LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES, HANDOVER_PARENT_PID)) {
                LibC.unsetenv(state, arena.allocateFrom(variable));
            }
        }
    }
}
