package dev.socketserver.internal.linux;

import dev.socketserver.UnixAddress;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ServerSocketChannel;

/**
 * A Unix stream listener on a name in Linux's abstract namespace ({@code @name}), served by a JDK
 * channel. The JDK's Unix channels bind file paths only (a path cannot hold the NUL that starts an
 * abstract name), but they serve any Unix stream listener they are given: the socket is made,
 * bound and set listening here through libc, then it takes the place of the channel's own socket
 * as an inherited one does ({@link InheritedSockets#transplant}). Accepts, reads and writes are
 * then the JDK's, unless the library accepts on the descriptor itself (its poller, or an event
 * loop's own epoll). The JDK reports the channel's and its connections' local address as an empty
 * path: the server reports the name, and so do the connections the library accepts itself.
 */
public final class AbstractStreamListener {
    private AbstractStreamListener() {
    }

    /**
     * Binds {@code channel} (open, unbound) to the abstract {@code address} and listens.
     *
     * @throws java.net.BindException if another socket holds the name
     * @throws IllegalArgumentException if {@code address} is a file path
     */
    public static void bind(ServerSocketChannel channel, UnixAddress address, int backlog) throws IOException {
        if (!address.isAbstract()) {
            throw new IllegalArgumentException(address + " is a file path; the JDK binds those itself");
        }
        String target = "unix:" + address;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            int fd = LibCSockets.socket(state, LibCSockets.AF_UNIX, LibCSockets.SOCK_STREAM | LibCSockets.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw LibC.error("socket", target, LibC.errno(state));
            }
            try {
                MemorySegment sockaddr = arena.allocate(LibCSockets.SOCKADDR_UN_SIZE);
                int length = UnixSockaddr.encode(address, sockaddr);
                if (LibCSockets.bind(state, fd, sockaddr, length) != 0) {
                    throw LibC.error("bind", target, LibC.errno(state));
                }
                if (LibCSockets.listen(state, fd, backlog) != 0) {
                    throw LibC.error("listen", target, LibC.errno(state));
                }
                InheritedSockets.transplant(channel, fd, null);   // closes fd
            } catch (IOException | RuntimeException e) {
                LibC.close(state, fd);
                throw e;
            }
        }
    }
}
