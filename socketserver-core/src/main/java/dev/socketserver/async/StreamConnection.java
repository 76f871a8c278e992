package dev.socketserver.async;

import dev.socketserver.internal.Addresses;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * One stream connection on an event loop: the {@link Transport} its {@link Protocol} sees.
 * Everything here runs in the loop's thread; the public methods called from other threads hand
 * themselves to the loop first.
 *
 * <p>The connection is handed to its loop as a task ({@link #run()} opens it), so a loop that stops
 * before opening it still closes it. The protocol is made on the loop, when the connection is ready
 * for it; until then no callback runs, and none runs at all for a connection closed before that.
 */
final class StreamConnection implements Transport, EventLoop.LoopChannel, Runnable {
    private static final System.Logger LOG = System.getLogger("dev.socketserver");
    private static final int READS_PER_WAKEUP = 16;

    private final AsyncServer server;
    private final EventLoop loop;
    private final SocketChannel channel;
    private final Supplier<? extends Protocol> protocols;
    private Protocol protocol;                  // null until made
    private final SocketAddress remoteAddress;
    private final SocketAddress localAddress;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private SelectionKey key;
    private long pendingBytes;
    private boolean readingPaused;
    private boolean writingPaused;
    private boolean outputShutdownRequested;
    private boolean closed;
    private boolean closing;
    private long openedNanos;
    private long lastActivityNanos;
    // volatile: isClosing() and writeBufferSize() may be asked from any thread
    private volatile boolean closeRequested;
    private volatile long reportedPendingBytes;

    StreamConnection(AsyncServer server, EventLoop loop, SocketChannel channel, Supplier<? extends Protocol> protocols) throws IOException {
        this.server = server;
        this.loop = loop;
        this.channel = channel;
        this.protocols = protocols;
        this.remoteAddress = channel.getRemoteAddress();
        this.localAddress = channel.getLocalAddress();
    }

    /** Opens the connection on its loop. */
    @Override
    public void run() {
        open();
    }

    /** Registers with the loop and makes the protocol. Runs on the loop. */
    void open() {
        openedNanos = System.nanoTime();
        lastActivityNanos = openedNanos;
        try {
            channel.configureBlocking(false);
            key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
        } catch (IOException e) {
            closeNow(e, false);
            return;
        }
        made();
    }

    /** Makes the protocol and tells it the connection is open. */
    private void made() {
        Protocol made;
        try {
            made = protocols.get();
            if (made == null) {
                throw new IllegalStateException("the protocol factory returned null");
            }
        } catch (RuntimeException e) {
            server.countHandlerError();
            LOG.log(Level.WARNING, "closing connection from " + Addresses.format(remoteAddress) + ": the protocol factory failed", e);
            closeNow(e, false);
            return;
        }
        protocol = made;
        try {
            protocol.connectionMade(this);
        } catch (RuntimeException e) {
            failed("connectionMade", e);
        }
    }

    /**
     * Closes the connection if it has been idle (nothing read or written) for {@code idleNanos}, or
     * open for {@code deadlineNanos}; 0 means no such limit. Runs on the loop.
     */
    void checkTimeouts(long now, long idleNanos, long deadlineNanos) {
        if (closed) {
            return;
        }
        if (idleNanos > 0 && now - lastActivityNanos >= idleNanos) {
            timedOut("no bytes read or written for " + idleNanos / 1_000_000 + " ms (idle timeout)");
        } else if (deadlineNanos > 0 && now - openedNanos >= deadlineNanos) {
            timedOut("open for " + deadlineNanos / 1_000_000 + " ms (request deadline)");
        }
    }

    private void timedOut(String why) {
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "closing connection from " + Addresses.format(remoteAddress) + ": " + why);
        }
        closeNow(new SocketTimeoutException(why), false);
    }

    @Override
    public void ready(SelectionKey selected) {
        if (selected.isWritable()) {
            flush();
        }
        if (!closed && selected.isValid() && selected.isReadable()) {
            read();
        }
    }

    private void read() {
        ByteBuffer buffer = loop.readBuffer;
        for (int i = 0; i < READS_PER_WAKEUP && !closed && !readingPaused && !closing; i++) {
            buffer.clear();
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException e) {
                closeNow(e, true);
                return;
            }
            if (n < 0) {
                endOfStream();
                return;
            }
            if (n == 0) {
                return;
            }
            lastActivityNanos = loop.now();
            loop.countIn(n);
            buffer.flip();
            try {
                protocol.dataReceived(buffer);
            } catch (RuntimeException e) {
                failed("dataReceived", e);
                return;
            }
            if (n < buffer.capacity()) {
                return;   // the socket is drained
            }
        }
    }

    private void endOfStream() {
        setInterest(SelectionKey.OP_READ, false);
        boolean keepOpen;
        try {
            keepOpen = protocol.eofReceived();
        } catch (RuntimeException e) {
            failed("eofReceived", e);
            return;
        }
        if (!keepOpen) {
            close();
        }
    }

    @Override
    public void write(byte[] data) {
        write(ByteBuffer.wrap(data));
    }

    @Override
    public void write(ByteBuffer data) {
        if (!loop.inEventLoop()) {
            ByteBuffer copy = copy(data);
            loop.execute(() -> writeOnLoop(copy, true));
            return;
        }
        writeOnLoop(data, false);
    }

    private void writeOnLoop(ByteBuffer data, boolean owned) {
        if (closed || closing || outputShutdownRequested || !data.hasRemaining()) {
            return;
        }
        if (pending.isEmpty()) {
            try {
                wrote(channel.write(data));
            } catch (IOException e) {
                closeNow(e, true);
                return;
            }
            if (!data.hasRemaining()) {
                return;
            }
        }
        ByteBuffer rest = owned ? data : copy(data);
        pending.add(rest);
        pendingBytes += rest.remaining();
        reportedPendingBytes = pendingBytes;
        setInterest(SelectionKey.OP_WRITE, true);
        if (server.writeBufferLimit() > 0 && pendingBytes > server.writeBufferLimit()) {
            closeNow(new IOException("write buffer of " + pendingBytes + " bytes passed the limit of "
                    + server.writeBufferLimit() + "; the peer is not reading"), true);
            return;
        }
        if (!writingPaused && pendingBytes > server.highWaterMark()) {
            writingPaused = true;
            try {
                protocol.pauseWriting();
            } catch (RuntimeException e) {
                failed("pauseWriting", e);
            }
        }
    }

    /** Writes what is pending, gathering the buffers into one call. */
    private void flush() {
        while (!pending.isEmpty()) {
            long written;
            try {
                written = channel.write(pending.toArray(ByteBuffer[]::new));
            } catch (IOException e) {
                closeNow(e, true);
                return;
            }
            wrote(written);
            pendingBytes -= written;
            while (!pending.isEmpty() && !pending.peek().hasRemaining()) {
                pending.poll();
            }
            if (written == 0) {
                break;
            }
        }
        reportedPendingBytes = pendingBytes;
        if (!pending.isEmpty()) {
            return;
        }
        setInterest(SelectionKey.OP_WRITE, false);
        if (writingPaused && pendingBytes <= server.lowWaterMark()) {
            writingPaused = false;
            try {
                protocol.resumeWriting();
            } catch (RuntimeException e) {
                failed("resumeWriting", e);
                return;
            }
        }
        if (closing) {
            closeNow(null, false);
        } else if (outputShutdownRequested) {
            shutdownOutputNow();
        }
    }

    private void wrote(long bytes) {
        if (bytes > 0) {
            lastActivityNanos = loop.now();
            loop.countOut(bytes);
        }
    }

    @Override
    public void close() {
        if (!loop.inEventLoop()) {
            closeRequested = true;   // writes handed over before this still go out: they are ahead in the queue
            loop.execute(this::close);
            return;
        }
        if (closed) {
            return;
        }
        closing = true;
        closeRequested = true;
        setInterest(SelectionKey.OP_READ, false);
        if (pending.isEmpty()) {
            closeNow(null, false);
        }
    }

    @Override
    public void abort() {
        if (!loop.inEventLoop()) {
            closeRequested = true;
            loop.execute(this::abort);
            return;
        }
        closeNow(null, false);
    }

    @Override
    public void abort(Throwable cause) {
        closeNow(cause, false);
    }

    @Override
    public void shutdownOutput() {
        if (!loop.inEventLoop()) {
            loop.execute(this::shutdownOutput);
            return;
        }
        if (closed || outputShutdownRequested) {
            return;
        }
        outputShutdownRequested = true;
        if (pending.isEmpty()) {
            shutdownOutputNow();
        }
    }

    private void shutdownOutputNow() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            closeNow(e, true);
        }
    }

    @Override
    public void pauseReading() {
        if (!loop.inEventLoop()) {
            loop.execute(this::pauseReading);
            return;
        }
        readingPaused = true;
        setInterest(SelectionKey.OP_READ, false);
    }

    @Override
    public void resumeReading() {
        if (!loop.inEventLoop()) {
            loop.execute(this::resumeReading);
            return;
        }
        if (closing || closed) {
            return;
        }
        readingPaused = false;
        setInterest(SelectionKey.OP_READ, true);
    }

    private void setInterest(int op, boolean on) {
        if (key == null || !key.isValid()) {
            return;
        }
        int ops = key.interestOps();
        int wanted = on ? ops | op : ops & ~op;
        if (wanted != ops) {
            key.interestOps(wanted);
        }
    }

    /** A callback threw: log it with the peer's address and close this connection only. */
    private void failed(String callback, RuntimeException e) {
        server.countHandlerError();
        LOG.log(Level.WARNING, "closing connection from " + Addresses.format(remoteAddress) + ": " + callback + " threw", e);
        closeNow(e, false);
    }

    /** Closes the socket now and tells the protocol once. {@code peerError}: an I/O error, worth only a debug line. */
    private void closeNow(Throwable cause, boolean peerError) {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        closeRequested = true;
        if (peerError && LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "connection from " + Addresses.format(remoteAddress) + " ended: " + cause);
        }
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
        pending.clear();
        pendingBytes = 0;
        reportedPendingBytes = 0;
        try {
            if (protocol != null) {   // else closed before it was made: no callbacks at all
                protocol.connectionLost(cause);
            }
        } catch (RuntimeException e) {
            server.countHandlerError();
            LOG.log(Level.WARNING, "connectionLost of " + Addresses.format(remoteAddress) + " threw", e);
        } finally {
            server.connectionClosed(this);   // after connectionLost: a connection counts against the cap until then
        }
    }

    private static ByteBuffer copy(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data).flip();
        return copy;
    }

    @Override
    public long writeBufferSize() {
        return reportedPendingBytes;
    }

    @Override
    public boolean isClosing() {
        return closeRequested;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return "connection from " + Addresses.format(remoteAddress);
    }
}
