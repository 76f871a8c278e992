package dev.socketserver.async;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;

/**
 * A {@link StreamConnection}'s write buffer: what its protocol wrote that the socket has not
 * taken yet, and the server's limits on it. Passing the high-water mark pauses the protocol's
 * writing ({@link Protocol#pauseWriting}) and, unless the protocol turned backpressure off, the
 * reading of the connection, until the socket has taken it down to the low-water mark
 * ({@link Protocol#resumeWriting}, and reading resumes): so a peer that sends and never reads
 * costs the server at most the high-water mark, whatever the protocol. A protocol that keeps
 * writing while paused, past the write-buffer limit, has its connection closed: its peer is not
 * reading.
 *
 * <p>A write goes straight to the socket while nothing is queued; only what the socket does not
 * take is queued. Small writes are copied into the tail of the queue while it has room, so many
 * small replies cost their bytes, not a buffer each. The queue is written, gathered into one call
 * of at most {@value #MAX_GATHER} buffers, when the socket is writable.
 * With TLS on, the queue holds plaintext, and the {@link TlsLayer} encrypts from it as fast as the
 * socket takes the records, so the water marks count plaintext bytes.
 *
 * <p>It also ends the output, once everything written has gone: a TLS close_notify, then the
 * socket's output shut down ({@link #shutdown}) or the connection closed ({@link #finishClose}).
 *
 * <p>Loop thread only, but for {@link #size()}, which any thread may ask.
 */
final class OutboundBuffer {
    /** The most buffers one gathering write takes: Linux's {@code IOV_MAX} is 1024. */
    static final int MAX_GATHER = 64;
    /** Copies of small writes go into chunks of this size, filled before the next is made. */
    static final int CHUNK = 8 * 1024;

    private final StreamConnection connection;
    private final InboundReader inbound;        // paused while the buffer is backed up
    private final ConnectionSocket channel;
    private final ServerContext server;         // the water marks and the limit
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private long bytes;
    // volatile: writeBufferSize() may be asked from any thread
    private volatile long reportedBytes;
    private boolean writingPaused;
    private ByteBuffer tailChunk;               // the queue's last buffer, when it is a chunk of ours with room to spare
    private boolean shutdownRequested;

    OutboundBuffer(StreamConnection connection, InboundReader inbound, ConnectionSocket channel, ServerContext server) {
        this.connection = connection;
        this.inbound = inbound;
        this.channel = channel;
        this.server = server;
    }

    /** Whether everything written has gone to the socket, TLS records included. */
    boolean isIdle() {
        TlsLayer tls = connection.tls();
        return pending.isEmpty() && (tls == null || tls.outputIdle());
    }

    /** Whether the protocol asked for the output to be shut down: nothing more is written. */
    boolean isShutdown() {
        return shutdownRequested;
    }

    /** The bytes queued, as last published. Any thread. */
    long size() {
        return reportedBytes;
    }

    /** Drops everything queued: the connection is closed. */
    void clear() {
        pending.clear();
        tailChunk = null;
        bytes = 0;
        reportedBytes = 0;
    }

    /**
     * Writes {@code data}: straight to the socket (through TLS, if it is on) when nothing
     * is queued ahead of it, then queues what is left. {@code owned}: {@code data} is the
     * connection's own copy, queued as it is; otherwise what is left is copied.
     */
    void write(ByteBuffer data, boolean owned) {
        if (pending.isEmpty()) {
            TlsLayer tls = connection.tls();
            if (tls == null) {
                try {
                    connection.wroteBytes(channel.write(data));
                } catch (IOException e) {
                    connection.closeNow(e, true);
                    return;
                }
            } else if (tls.canWrite()) {
                tls.write(data);
                if (connection.isClosed()) {
                    return;
                }
            }
            if (!data.hasRemaining()) {
                return;
            }
        }
        int length = data.remaining();
        if (owned) {
            pending.add(data);
            tailChunk = null;
        } else {
            enqueueCopy(data);
        }
        bytes += length;
        reportedBytes = bytes;
        connection.setInterest(SelectionKey.OP_WRITE, true);
        long limit = server.writeBufferLimit();
        if (writingPaused && limit > 0 && bytes > limit) {
            long buffered = bytes;
            server.writeBufferLimitPassed(() -> "closing " + connection + ": its protocol kept writing while paused, "
                    + buffered + " bytes buffered, past the write-buffer limit of " + limit + "; the peer is not reading");
            connection.closeNow(new IOException("write buffer of " + buffered + " bytes passed the limit of " + limit
                    + "; the peer is not reading"), true);
            return;
        }
        if (!writingPaused && bytes > server.highWaterMark()) {
            writingPaused = true;
            inbound.backedUp(true);
            try {
                connection.protocol().pauseWriting();
            } catch (RuntimeException e) {
                connection.failed("pauseWriting", e);
            }
        }
    }

    /** Queues a copy of {@code data}: into the tail chunk while it has room, then into new chunks. */
    private void enqueueCopy(ByteBuffer data) {
        ByteBuffer tail = tailChunk;
        if (tail != null) {
            int end = tail.limit();
            int n = Math.min(tail.capacity() - end, data.remaining());
            tail.limit(end + n);
            tail.put(end, data, data.position(), n);
            data.position(data.position() + n);
            if (!data.hasRemaining()) {
                return;
            }
        }
        ByteBuffer chunk = ByteBuffer.allocate(Math.max(CHUNK, data.remaining()));
        chunk.put(data).flip();
        pending.add(chunk);
        tailChunk = chunk.limit() < chunk.capacity() ? chunk : null;
    }

    /**
     * Writes what is queued, while the socket takes it. Once all of it is written, the socket's
     * write interest goes off, a protocol paused by the high-water mark is told to resume (under
     * the low-water mark), and a close or an output shutdown that waited for it is done.
     */
    void flush() {
        TlsLayer tls = connection.tls();
        if (tls != null) {
            flushTls(tls);
        } else {
            flushPlain();
        }
        if (connection.isClosed()) {
            return;
        }
        reportedBytes = bytes;
        if (!pending.isEmpty() || (tls != null && !tls.outputIdle())) {
            return;
        }
        connection.setInterest(SelectionKey.OP_WRITE, false);
        if (writingPaused && bytes <= server.lowWaterMark()) {
            writingPaused = false;
            inbound.backedUp(false);
            try {
                connection.protocol().resumeWriting();
            } catch (RuntimeException e) {
                connection.failed("resumeWriting", e);
                return;
            }
        }
        if (connection.closeStarted()) {
            finishClose();
        } else if (shutdownRequested) {
            shutdownNow();
        }
    }

    /** Shuts the output down once everything written has gone: after a TLS close_notify, if TLS is on. */
    void shutdown() {
        if (shutdownRequested || connection.isClosed()) {
            return;
        }
        shutdownRequested = true;
        if (isIdle()) {
            shutdownNow();
        }
    }

    private void shutdownNow() {
        TlsLayer tls = connection.tls();
        if (tls != null) {
            tls.closeOutbound();
            if (connection.isClosed()) {
                return;
            }
        }
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            connection.closeNow(e, true);
        }
    }

    /** Closes the connection, everything written having gone (see {@link #isIdle}): after a TLS close_notify, if TLS is on. */
    void finishClose() {
        TlsLayer tls = connection.tls();
        if (tls != null) {
            tls.closeOutbound();
        }
        connection.closeNow(null, false);
    }

    /** Writes the queue, gathering its buffers into one call at a time, while the socket takes it all. */
    private void flushPlain() {
        ByteBuffer[] gather = connection.loop().gather;
        while (!pending.isEmpty()) {
            int count = 0;
            for (ByteBuffer buffer : pending) {
                gather[count++] = buffer;
                if (count == gather.length) {
                    break;
                }
            }
            long written;
            try {
                written = channel.write(gather, 0, count);
            } catch (IOException e) {
                connection.closeNow(e, true);
                return;
            } finally {
                java.util.Arrays.fill(gather, 0, count, null);
            }
            connection.wroteBytes(written);
            bytes -= written;
            dropWritten();
            if (written == 0) {
                break;
            }
        }
    }

    /** Drops the buffers at the head of the queue that have been written whole. */
    private void dropWritten() {
        while (!pending.isEmpty() && !pending.peek().hasRemaining()) {
            if (pending.poll() == tailChunk) {
                tailChunk = null;
            }
        }
    }

    /** Encrypts and writes the queue, while the socket takes it all. */
    private void flushTls(TlsLayer tls) {
        if (!tls.flushCipher()) {
            return;
        }
        if (tls.busy()) {
            tls.process();   // a handshake or a post-handshake message waited for the socket
            if (connection.isClosed() || !tls.outputIdle()) {
                return;
            }
        }
        while (!pending.isEmpty() && tls.canWrite()) {
            ByteBuffer head = pending.peek();
            bytes -= tls.write(head);
            if (connection.isClosed()) {
                return;
            }
            if (!head.hasRemaining()) {
                dropWritten();
            }
        }
        if (!pending.isEmpty() && tls.outputIdle()) {
            connection.setInterest(SelectionKey.OP_WRITE, false);   // waiting for the engine's task, not the socket: tasksDone flushes
        }
    }

    /** A copy of what {@code data} has left, which it takes: for bytes kept past the call that handed them over. */
    static ByteBuffer copy(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data).flip();
        return copy;
    }
}
