package dev.socketserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts this process's open descriptors, for tests that check nothing leaks. */
public final class Descriptors {
    private Descriptors() {
    }

    /**
     * Open descriptors that a server could leak: sockets, eventfds (each selector and each Unix
     * datagram socket has one) and pipes. Left out: epoll instances, which the JDK also creates
     * lazily for virtual threads' I/O pollers as carriers come and go; jar files, which class
     * loading opens lazily; and this listing's own directory handle.
     */
    public static int open() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.map(Descriptors::target)
                    .filter(t -> t.startsWith("socket:") || t.startsWith("pipe:") || t.equals("anon_inode:[eventfd]"))
                    .count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * {@link #open()}, after making the JDK create the descriptor it keeps for the life of the JVM
     * once the first socket channel exists (the "pre-close" socket that closing a channel with a
     * blocked reader or writer needs), so that it is not counted as a server's leak.
     */
    public static int baseline() {
        try {
            java.nio.channels.SocketChannel.open().close();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return open();
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return "(closed)";   // closed while we looked
        }
    }
}
