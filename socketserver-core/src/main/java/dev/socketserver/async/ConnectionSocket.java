package dev.socketserver.async;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;

/**
 * A connection's socket as its event loop uses it: non-blocking reads and (gathering) writes with
 * {@code SocketChannel}'s results, its addresses, and its registration with the loop. Two kinds:
 * a JDK {@link java.nio.channels.SocketChannel} ({@link ChannelSocket}) on a loop with a
 * {@code Selector}, and a descriptor of the library's own ({@link DescriptorSocket}) on a loop
 * with an epoll instance of its own. Loop thread only, but for {@link #close()}.
 */
sealed interface ConnectionSocket extends ByteChannel, GatheringByteChannel permits ChannelSocket, DescriptorSocket {

    /** The peer's address. */
    SocketAddress remoteAddress() throws IOException;

    /** The address the connection came in on. */
    SocketAddress localAddress() throws IOException;

    /** Sends small writes at once ({@code TCP_NODELAY}); only for a TCP connection. */
    void setNoDelay() throws IOException;

    /** Sends FIN after what is written: the peer reads the end of the stream. */
    void shutdownOutput() throws IOException;

    /** Registers with {@code loop} (which must be of the matching kind) for {@code ops}; events go to {@code owner}. */
    LoopKey register(EventLoop loop, int ops, EventLoop.LoopChannel owner) throws IOException;
}
