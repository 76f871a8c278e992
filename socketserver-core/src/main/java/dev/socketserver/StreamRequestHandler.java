package dev.socketserver;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * A handler for one stream connection (TCP or Unix stream), with Python's {@code rfile} and
 * {@code wfile}:
 *
 * {@snippet :
 * class Handler extends StreamRequestHandler {
 *     @Override protected void handle() throws IOException {
 *         System.out.println("got connection from " + clientAddress());
 *         wfile().write("connection".getBytes(UTF_8));
 *     }
 * }
 * }
 *
 * <p>{@link #rfile()} is buffered. {@link #wfile()} is unbuffered by default: each write reaches the
 * peer at once and is never partial. With {@link #setWriteBufferSize(int)} writes are collected
 * and {@link #finish()} flushes them, even when {@code handle()} threw. The options are set in the
 * subclass's constructor; {@code setup()} applies them. Everything runs in the request's thread.
 */
public abstract class StreamRequestHandler extends BaseRequestHandler<Connection> {
    private Duration timeout;
    private int writeBufferSize;
    private boolean disableNagleAlgorithm = true;
    private InputStream rfile;
    private OutputStream wfile;

    /** For subclasses. */
    protected StreamRequestHandler() {
    }

    /**
     * Sets the read timeout applied in {@code setup()}: a read that waits longer throws
     * {@link java.net.SocketTimeoutException}, which goes to {@code handleError} and ends the
     * request. A timeout per read; {@code null}, the default, means none.
     */
    protected final void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    /** Collects writes to {@link #wfile()} in a buffer of this many bytes; 0, the default, means unbuffered. */
    protected final void setWriteBufferSize(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("write buffer size must be 0 (unbuffered) or more, got " + bytes);
        }
        this.writeBufferSize = bytes;
    }

    /**
     * Whether Nagle's algorithm is off ({@code TCP_NODELAY}), applied in {@code setup()}. Unlike
     * Python, where it is on unless disabled, it is off by default, as in Netty and Go: a reply
     * written in pieces goes out at once instead of waiting up to 40 ms for the client's delayed
     * ACK. {@code false} turns it back on, to coalesce many tiny writes. No effect on Unix streams.
     */
    protected final void setDisableNagleAlgorithm(boolean disable) {
        this.disableNagleAlgorithm = disable;
    }

    /** Applies the options and opens {@link #rfile()} and {@link #wfile()}. Overriders call {@code super.setup()} first. */
    @Override
    protected void setup() throws Exception {
        Connection connection = request();
        if (timeout != null) {
            connection.setReadTimeout(timeout);
        }
        if (!disableNagleAlgorithm) {
            connection.setNoDelay(false);   // the server set TCP_NODELAY when it accepted
        }
        rfile = connection.in();
        wfile = writeBufferSize > 0 ? new BufferedOutputStream(connection.out(), writeBufferSize) : connection.out();
    }

    /** Flushes a buffered {@link #wfile()}; a failure to flush to a peer that went away is ignored, as in Python. */
    @Override
    protected void finish() throws Exception {
        if (wfile instanceof BufferedOutputStream buffered) {
            try {
                buffered.flush();
            } catch (IOException e) {
                // the peer is gone; nothing to deliver
            }
        }
    }

    /** The connection; the same as {@link #request()}. */
    public final Connection connection() {
        return request();
    }

    /**
     * The connection's buffered input (Python's {@code rfile}). The connection's framing reads
     * ({@link Connection#readLine(int)}, {@link Connection#readUntil readUntil}, {@link Connection#readFrame readFrame})
     * read from it too, and mix with reading it directly.
     */
    public final InputStream rfile() {
        return rfile;
    }

    /** The connection's output (Python's {@code wfile}). */
    public final OutputStream wfile() {
        return wfile;
    }
}
