package dev.socketserver.async;

import dev.socketserver.internal.linux.SocketDescriptors;
import dev.socketserver.internal.linux.StreamSockets;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * A {@link ConnectionSocket} that is a non-blocking descriptor of the library's own, accepted with
 * {@code accept4} and waited for through the loop's {@link EpollReadiness}: reads and sends are
 * critical FFM downcalls straight between the socket and the buffer, heap or direct, where the
 * JDK's channel takes a lock and copies a heap buffer through a direct one. Linux only.
 *
 * <p>Only the loop thread reads, writes and closes it, so the descriptor is never closed under a
 * call (which could then reach a newer socket given the same number).
 */
final class DescriptorSocket implements ConnectionSocket {
    private final int fd;
    private final SocketAddress remote;
    private final SocketAddress local;
    private EpollReadiness readiness;   // once registered
    private ByteBuffer loopBuffer;      // the loop's read buffer, and its memory as a segment, once registered
    private MemorySegment loopSegment;
    private LoopKey key;
    private boolean closed;

    DescriptorSocket(int fd, SocketAddress remote, SocketAddress local) {
        this.fd = fd;
        this.remote = remote;
        this.local = local;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        int position = dst.position();
        if (position == dst.limit()) {
            return 0;
        }
        int n = StreamSockets.read(fd, segmentOf(dst, position), readiness.errno);
        if (n == StreamSockets.WOULD_BLOCK) {
            return 0;
        }
        if (n == 0) {
            return -1;
        }
        dst.position(position + n);
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int position = src.position();
        if (position == src.limit()) {
            return 0;
        }
        int n = StreamSockets.send(fd, segmentOf(src, position), readiness.errno);
        if (n == StreamSockets.WOULD_BLOCK) {
            return 0;
        }
        src.position(position + n);
        return n;
    }

    /**
     * Sends the buffers in order with one call: one buffer as it is, several copied together into
     * the loop's scratch first (up to its size), as the JDK's channel copies heap buffers.
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (length == 1) {
            return write(srcs[offset]);
        }
        ensureOpen();
        MemorySegment scratch = readiness.gatherScratch;
        long filled = 0;
        for (int i = offset; i < offset + length && filled < scratch.byteSize(); i++) {
            ByteBuffer src = srcs[i];
            long n = Math.min(src.remaining(), scratch.byteSize() - filled);
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, scratch, filled, n);
            filled += n;
        }
        if (filled == 0) {
            return 0;
        }
        int sent = StreamSockets.send(fd, scratch.asSlice(0, filled), readiness.errno);
        if (sent == StreamSockets.WOULD_BLOCK) {
            return 0;
        }
        long left = sent;
        for (int i = offset; i < offset + length && left > 0; i++) {
            ByteBuffer src = srcs[i];
            int n = (int) Math.min(src.remaining(), left);
            src.position(src.position() + n);
            left -= n;
        }
        return sent;
    }

    /** The memory of {@code buffer} from {@code position} to its limit: a slice of the loop's segment for its read buffer (an echo writes that too). */
    private MemorySegment segmentOf(ByteBuffer buffer, int position) {
        if (buffer == loopBuffer) {
            return loopSegment.asSlice(position, buffer.limit() - position);
        }
        return MemorySegment.ofBuffer(buffer);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public void setNoDelay() throws IOException {
        StreamSockets.setNoDelay(fd, true);
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
        StreamSockets.shutdown(fd, StreamSockets.SHUT_WR);
    }

    @Override
    public LoopKey register(EventLoop loop, int ops, EventLoop.LoopChannel owner) throws IOException {
        ensureOpen();
        readiness = loop.epollReadiness();
        loopBuffer = loop.readBuffer;
        loopSegment = loop.readSegment;
        key = readiness.register(fd, ops, owner);
        return key;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Takes the descriptor out of the loop's epoll set, then closes it. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (key != null) {
            key.cancel();
        }
        SocketDescriptors.close(fd);
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public String toString() {
        return "DescriptorSocket[fd " + fd + "]";
    }
}
