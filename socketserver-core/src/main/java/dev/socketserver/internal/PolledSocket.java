package dev.socketserver.internal;

import dev.socketserver.internal.linux.Epoll;
import dev.socketserver.internal.linux.SocketDescriptors;
import dev.socketserver.internal.linux.StreamSockets;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A non-blocking socket descriptor that this library owns, made to block for its caller: a read
 * that finds nothing parks the calling thread until the {@link SocketPoller}, with which the socket
 * stays registered (edge-triggered) for its whole life, reports it readable. A virtual thread
 * waiting here costs no system call to wait and none to be woken, where a JDK socket re-arms a
 * one-shot registration before every wait.
 *
 * <p>A read shorter than what was asked for leaves the socket empty, so the next read waits for
 * the poller first instead of asking the kernel and hearing {@code EAGAIN}, unless the peer has
 * closed: the end of the stream may wait behind the last data, and no edge announces it again. A read timeout is a
 * timed park. Closing the socket wakes whoever waits in it; the descriptor itself is closed when
 * the last call under way returns, so its number is never reused under a call.
 */
final class PolledSocket implements StreamSocket {
    private static final int CLOSED = 1 << 30;

    private final int fd;
    private final boolean tcp;
    private final SocketPoller poller;
    private final AtomicInteger calls = new AtomicInteger();   // calls under way, plus CLOSED once closed
    private final ReentrantLock writeLock = new ReentrantLock();
    // set false by the caller before each read or send, true by the poller on an edge; then the waiter is woken
    private volatile boolean readable = true;
    private volatile boolean writable = true;
    private volatile Thread reader;
    private volatile Thread writer;
    // the peer closed or reset, or the input was shut: a read never waits again (set by the poller before readable)
    private volatile boolean inputEnded;
    private boolean drained;   // the last read found the socket empty: wait before the next; the reader's only
    private volatile long readTimeoutNanos;

    PolledSocket(int fd, boolean tcp, SocketPoller poller) {
        this.fd = fd;
        this.tcp = tcp;
        this.poller = poller;
    }

    int fd() {
        return fd;
    }

    /** The poller saw these events: wakes the reader, the writer or both. */
    void ready(int events) {
        if ((events & (Epoll.RDHUP | Epoll.HUP | Epoll.ERR)) != 0) {
            inputEnded = true;   // its edge may come before a read that takes the last data, and no edge follows
        }
        if ((events & (Epoll.IN | Epoll.RDHUP | Epoll.HUP | Epoll.ERR)) != 0) {
            readable = true;
            LockSupport.unpark(reader);
        }
        if ((events & (Epoll.OUT | Epoll.HUP | Epoll.ERR)) != 0) {
            writable = true;
            LockSupport.unpark(writer);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        enter();
        try {
            long timeout = readTimeoutNanos;
            long deadline = timeout == 0 ? 0 : System.nanoTime() + timeout;
            while (true) {
                if (drained && !inputEnded) {
                    awaitReadable(timeout, deadline);
                }
                readable = false;
                int n = StreamSockets.read(fd, b, off, len);
                if (n == StreamSockets.WOULD_BLOCK) {
                    drained = true;
                    continue;
                }
                drained = n > 0 && n < len;
                return n == 0 ? -1 : n;
            }
        } finally {
            leave();
        }
    }

    private void awaitReadable(long timeout, long deadline) throws IOException {
        reader = Thread.currentThread();
        try {
            while (!readable && !inputEnded) {
                checkOpenAndNotInterrupted();
                if (timeout == 0) {
                    LockSupport.park(this);
                } else {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                    LockSupport.parkNanos(this, remaining);
                }
            }
        } finally {
            reader = null;
        }
    }

    @Override
    public int available() throws IOException {
        enter();
        try {
            return StreamSockets.available(fd);
        } finally {
            leave();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        writeLock.lock();
        try {
            enter();
            try {
                while (len > 0) {
                    writable = false;
                    int n = StreamSockets.send(fd, b, off, len);
                    if (n == StreamSockets.WOULD_BLOCK) {
                        awaitWritable();
                        continue;
                    }
                    off += n;
                    len -= n;
                }
            } finally {
                leave();
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void awaitWritable() throws IOException {
        writer = Thread.currentThread();
        try {
            while (!writable) {
                checkOpenAndNotInterrupted();
                LockSupport.park(this);
            }
        } finally {
            writer = null;
        }
    }

    /** As a JDK socket does for a virtual thread: an interrupt while waiting closes the socket. */
    private void checkOpenAndNotInterrupted() throws SocketException {
        if ((calls.get() & CLOSED) != 0) {
            throw new SocketException("Socket closed");
        }
        if (Thread.currentThread().isInterrupted()) {
            close();
            throw new SocketException("Closed by interrupt");
        }
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        readTimeoutNanos = timeout.isZero() ? 0 : Math.max(1, timeout.toNanos());
    }

    @Override
    public void setNoDelay(boolean on) throws IOException {
        if (tcp) {
            enter();
            try {
                StreamSockets.setNoDelay(fd, on);
            } finally {
                leave();
            }
        }
    }

    /** Shuts the input and wakes a read under way, which then finds the end of the stream. */
    @Override
    public void shutdownInput() throws IOException {
        enter();
        try {
            StreamSockets.shutdown(fd, StreamSockets.SHUT_RD);
        } finally {
            leave();
        }
        inputEnded = true;
        LockSupport.unpark(reader);
    }

    @Override
    public void shutdownOutput() throws IOException {
        enter();
        try {
            StreamSockets.shutdown(fd, StreamSockets.SHUT_WR);
        } finally {
            leave();
        }
    }

    @Override
    public boolean isOpen() {
        return (calls.get() & CLOSED) == 0;
    }

    @Override
    public void close() {
        int before;
        do {
            before = calls.get();
            if ((before & CLOSED) != 0) {
                return;
            }
        } while (!calls.compareAndSet(before, before | CLOSED));
        poller.deregister(this);
        LockSupport.unpark(reader);
        LockSupport.unpark(writer);
        if (before == 0) {
            closeDescriptor();
        }
    }

    private void enter() throws SocketException {
        int before;
        do {
            before = calls.get();
            if ((before & CLOSED) != 0) {
                throw new SocketException("Socket closed");
            }
        } while (!calls.compareAndSet(before, before + 1));
    }

    private void leave() {
        if (calls.decrementAndGet() == CLOSED) {
            closeDescriptor();   // closed while this call was under way: the last call out closes
        }
    }

    private void closeDescriptor() {
        try {
            SocketDescriptors.close(fd);
        } catch (IOException e) {
            // Linux frees the descriptor whatever close reports
        }
    }
}
