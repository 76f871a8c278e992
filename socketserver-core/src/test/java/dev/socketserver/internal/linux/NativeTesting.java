package dev.socketserver.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Shared by the tests of this package: a listener with a client and the accepted descriptor, and /proc checks. */
final class NativeTesting {
    private NativeTesting() {
    }

    /** A listening channel, a connected client, and the server side of the connection as a raw descriptor. */
    static final class Pair implements AutoCloseable {
        final ServerSocketChannel listener;
        final int listenerFd;
        final SocketChannel client;
        final SocketDescriptors.Accepted accepted;
        private boolean acceptedClosed;

        private Pair(ServerSocketChannel listener, SocketChannel client) throws IOException {
            this.listener = listener;
            this.listenerFd = SocketDescriptors.fdOf(listener);
            this.client = client;
            this.accepted = awaitAccept(listenerFd, Duration.ofSeconds(10));
        }

        /** Closes the parent's copy of the accepted descriptor, as a server does once a child holds it. */
        void closeAccepted() throws IOException {
            if (!acceptedClosed) {
                acceptedClosed = true;
                SocketDescriptors.close(accepted.fd());
            }
        }

        /** Everything the client receives until the other end closes. */
        String readAll() throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (client.read(buffer) >= 0) {
                if (!buffer.hasRemaining()) {
                    throw new IOException("more output than expected");
                }
            }
            buffer.flip();
            return StandardCharsets.UTF_8.decode(buffer).toString();
        }

        /** One line the client receives, without its newline. */
        String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            ByteBuffer one = ByteBuffer.allocate(1);
            while (true) {
                one.clear();
                if (client.read(one) < 0) {
                    throw new IOException("EOF after \"" + line + "\"");
                }
                char c = (char) one.get(0);
                if (c == '\n') {
                    return line.toString();
                }
                line.append(c);
            }
        }

        @Override
        public void close() throws IOException {
            try (listener; client) {
                closeAccepted();
            }
        }
    }

    static Pair tcp(InetAddress host) throws IOException {
        ProtocolFamily family = host instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        ServerSocketChannel listener = ServerSocketChannel.open(family);
        try {
            listener.bind(new InetSocketAddress(host, 0));
            listener.configureBlocking(false);
            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            return new Pair(listener, client);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    static Pair unix(Path path) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(java.net.UnixDomainSocketAddress.of(path));
            listener.configureBlocking(false);
            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            return new Pair(listener, client);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /** Waits (in poll, not in a sleep) for a connection on a non-blocking listener and takes it. */
    static SocketDescriptors.Accepted awaitAccept(int listenerFd, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment pollFd = arena.allocate(LibC.POLLFD_SIZE, 4);
            while (System.nanoTime() < deadline) {
                SocketDescriptors.Accepted accepted = SocketDescriptors.accept(listenerFd);
                if (accepted != null) {
                    return accepted;
                }
                pollFd.set(ValueLayout.JAVA_INT, 0, listenerFd);
                pollFd.set(ValueLayout.JAVA_SHORT, 4, LibC.POLLIN);
                pollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                LibC.poll(state, pollFd, 1, (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        }
        throw new AssertionError("no connection arrived within " + limit);
    }

    /** Writes all of {@code bytes} to a descriptor with libc's write. */
    static void writeAll(int fd, byte[] bytes) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment buffer = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            long done = 0;
            while (done < bytes.length) {
                long n = LibC.write(state, fd, buffer.asSlice(done), bytes.length - done);
                if (n < 0) {
                    throw LibC.error("write", "fd " + fd, LibC.errno(state));
                }
                done += n;
            }
        }
    }

    /** The target of /proc/self/fd/N, such as {@code socket:[123]}, or null if N is not open. */
    static String link(int fd) throws IOException {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static int openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1;   // the listing holds one
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether {@code pid} is (still) a child of this JVM, running or a zombie. */
    static boolean isOurChild(int pid) {
        String stat = stat(pid);
        if (stat == null) {
            return false;
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[1]) == ProcessHandle.current().pid();
    }

    /** The state letter of a process ('R', 'S', 'Z', ...), or 0 if it is gone. */
    static char processState(int pid) {
        String stat = stat(pid);
        return stat == null ? 0 : stat.charAt(stat.lastIndexOf(')') + 2);
    }

    /** The process group of {@code pid}. */
    static int processGroup(int pid) {
        String stat = stat(pid);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[2]);
    }

    /** How many zombies this JVM has as children now. */
    static long ourZombies() throws IOException {
        long self = ProcessHandle.current().pid();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Integer::parseInt).filter(pid -> {
                        String stat = stat(pid);
                        if (stat == null) {
                            return false;
                        }
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        return fields[0].equals("Z") && Long.parseLong(fields[1]) == self;
                    }).count();
        }
    }

    private static String stat(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;   // ESRCH while the process vanishes
        }
    }

    /** Polls {@code condition} until it holds or {@code limit} passes; returns whether it held. */
    static boolean awaitTrue(Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        return true;
    }

    static String inode(String link) {
        return link != null && link.startsWith("socket:[") ? link.substring(8, link.length() - 1) : null;
    }
}
