package dev.socketserver.internal;

import dev.socketserver.Connection;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link SSLEngine} behind a {@link TlsConnection}, driven over the plain connection's
 * blocking streams: it unwraps what the plain input brings and wraps what is written into records
 * on the plain output. It works the same over TCP and Unix streams, and in any thread.
 *
 * <p>One thread may read while another writes. Reads unwrap under the read lock; everything that
 * wraps (application writes, handshake and post-handshake messages, close_notify) holds the write
 * lock, so records never interleave.
 */
final class BlockingTlsEngine {
    /** The ciphertext buffer of a connection that sends small records; a record that does not fit grows it. */
    private static final int SMALL_NET_IN = 2048;
    /** No plaintext buffer held: it comes from {@link LargeBuffers} when a record is unwrapped. */
    private static final ByteBuffer NONE = ByteBuffer.allocate(0);

    private final Connection plain;
    private final SSLEngine engine;
    private final TlsPolicy policy;     // counts and logs refusals; null on the client side, which refuses uncounted
    private final InputStream netIn;
    private final OutputStream netOut;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private ByteBuffer netInBuffer;     // guarded by readLock; kept in read mode; small while the client sends small records
    private ByteBuffer appInBuffer;     // guarded by readLock; kept in read mode; from LargeBuffers while it holds plaintext, else NONE
    private boolean inboundDone;        // guarded by readLock
    private long handshakeDeadlineNanos; // guarded by readLock; while handshaking, when the handshake must be over
    private Duration handshakeDeadline;  // guarded by readLock; null once the handshake is over
    private boolean handshakeDone;       // guarded by readLock; the first handshake succeeded
    // volatile: set under readLock by the handler's read, read by the server once the handler has ended
    private volatile boolean renegotiationRefused;

    BlockingTlsEngine(Connection plain, SSLEngine engine, TlsPolicy policy) {
        this.plain = plain;
        this.engine = engine;
        this.policy = policy;
        this.netIn = plain.in();
        this.netOut = plain.out();
        this.netInBuffer = ByteBuffer.allocate(SMALL_NET_IN).flip();
        this.appInBuffer = NONE;
    }

    /** The negotiated session: protocol, cipher suite, peer certificates. */
    SSLSession session() {
        return engine.getSession();
    }

    /** The protocol agreed by ALPN, or null. */
    String applicationProtocol() {
        return TlsEngineSupport.applicationProtocol(engine);
    }

    /** Whether the connection ended because the client asked for a renegotiation, which was refused. */
    boolean renegotiationRefused() {
        return renegotiationRefused;
    }

    /** Whether close_notify has been sent: nothing more can be written. */
    boolean isOutboundDone() {
        return engine.isOutboundDone();
    }

    // ---- the handshake ---------------------------------------------------------------------------

    /** Runs the handshake, within {@code deadline}; every read in it waits at most until then. The read timeout is restored after. */
    void handshake(Duration deadline) throws IOException {
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        Duration previousTimeout = plain.readTimeout();
        readLock.lock();
        try {
            handshakeDeadlineNanos = deadlineNanos;
            handshakeDeadline = deadline;
        } finally {
            readLock.unlock();
        }
        try {
            handshakeSteps(deadlineNanos, deadline);
            readLock.lock();
            try {
                handshakeDone = true;
            } finally {
                readLock.unlock();
            }
        } finally {
            readLock.lock();
            try {
                handshakeDeadline = null;
            } finally {
                readLock.unlock();
            }
            plain.setReadTimeout(previousTimeout);
        }
    }

    private void handshakeSteps(long deadlineNanos, Duration deadline) throws IOException {
        engine.beginHandshake();
        while (true) {
            if (System.nanoTime() > deadlineNanos) {
                throw new SSLHandshakeException(TlsEngineSupport.timeoutReason(deadline));
            }
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> wrapAndSend(TlsEngineSupport.NO_DATA);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    readLock.lock();
                    try {
                        if (unwrapOnce() < 0) {
                            throw new SSLHandshakeException(TlsEngineSupport.CLIENT_CLOSED);
                        }
                    } finally {
                        readLock.unlock();
                    }
                }
                case NEED_TASK -> TlsEngineSupport.runDelegatedTasks(engine);
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
            }
        }
    }

    // ---- input -----------------------------------------------------------------------------------

    /** Reads plaintext into {@code b}, unwrapping records as needed: as {@link InputStream#read(byte[], int, int)}, with {@code len > 0}. */
    int read(byte[] b, int off, int len) throws IOException {
        readLock.lock();
        try {
            while (!appInBuffer.hasRemaining()) {
                if (renegotiationRefused) {
                    throw TlsPolicy.refusal();
                }
                if (inboundDone || unwrapOnce() < 0) {
                    return -1;
                }
            }
            int n = Math.min(len, appInBuffer.remaining());
            appInBuffer.get(b, off, n);
            releaseAppInIfEmpty();
            return n;
        } finally {
            readLock.unlock();
        }
    }

    /** Plaintext unwrapped and not read yet. */
    int available() {
        return appInBuffer.remaining();
    }

    /**
     * Unwraps one record into the application buffer, reading from the network as needed. Holds
     * readLock. Returns the application bytes it produced, or -1 at the end of the stream.
     */
    private int unwrapOnce() throws IOException {
        while (true) {
            if (appInBuffer == NONE) {
                appInBuffer = LargeBuffers.take(engine.getSession().getApplicationBufferSize()).flip();
            }
            ByteBuffer app = appInBuffer.compact();
            SSLEngineResult result;
            try {
                result = engine.unwrap(netInBuffer, app);
            } finally {
                app.flip();
            }
            switch (result.getStatus()) {
                case OK -> {
                    SSLEngineResult.HandshakeStatus status = result.getHandshakeStatus();
                    if (handshakeDone && TlsPolicy.isRenegotiation(engine, status)) {
                        throw refuseRenegotiation();
                    }
                    if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                        TlsEngineSupport.runDelegatedTasks(engine);
                        status = engine.getHandshakeStatus();   // what the tasks left to do
                    }
                    if (status == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                        wrapAndSend(TlsEngineSupport.NO_DATA);   // a post-handshake reply, such as a TLS 1.3 key update
                    }
                    releaseAppInIfEmpty();
                    return result.bytesProduced();
                }
                case BUFFER_UNDERFLOW -> {
                    releaseAppInIfEmpty();   // the read below may wait long
                    if (netInBuffer.limit() == netInBuffer.capacity() && netInBuffer.position() == 0) {
                        netInBuffer = grow(netInBuffer, engine.getSession().getPacketBufferSize());
                    } else if (!netInBuffer.hasRemaining() && netInBuffer.capacity() > SMALL_NET_IN && netIn.available() == 0) {
                        netInBuffer = ByteBuffer.allocate(SMALL_NET_IN).flip();   // the client is quiet: give back what a burst grew
                    }
                    if (!readFromNetwork()) {
                        return -1;
                    }
                }
                case BUFFER_OVERFLOW -> appInBuffer = grow(appInBuffer, engine.getSession().getApplicationBufferSize());
                case CLOSED -> {
                    inboundDone = true;
                    return -1;
                }
            }
        }
    }

    /** Gives the plaintext buffer back to the pool once everything in it has been read. Holds readLock. */
    private void releaseAppInIfEmpty() {
        if (appInBuffer != NONE && !appInBuffer.hasRemaining()) {
            ByteBuffer empty = appInBuffer;
            appInBuffer = NONE;
            LargeBuffers.give(empty);
        }
    }

    /**
     * Refuses the renegotiation the client just started: counts and logs it (rate limited), sends
     * close_notify so the client learns at once, and ends the input, whose reads throw from now
     * on. Holds readLock.
     */
    private SSLException refuseRenegotiation() {
        if (!renegotiationRefused) {
            renegotiationRefused = true;
            if (policy != null) {
                policy.renegotiationRefused(plain.clientAddress());
            }
            closeOutbound();
        }
        return TlsPolicy.refusal();
    }

    /**
     * Reads what the network has into the network buffer. Holds readLock. During the handshake
     * each read waits only as long as the handshake has left, so a client that sends its hello a
     * byte at a time is still cut off at the deadline.
     */
    private boolean readFromNetwork() throws IOException {
        if (handshakeDeadline != null) {
            long remaining = handshakeDeadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                throw TlsEngineSupport.timedOut(handshakeDeadline);
            }
            plain.setReadTimeout(Duration.ofNanos(Math.max(remaining, 1_000_000)));
        }
        ByteBuffer buffer = netInBuffer.compact();
        try {
            int n;
            try {
                n = netIn.read(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            } catch (SocketTimeoutException e) {
                throw handshakeDeadline == null ? e : TlsEngineSupport.timedOut(handshakeDeadline);
            }
            if (n < 0) {
                return false;
            }
            buffer.position(buffer.position() + n);
            return true;
        } finally {
            buffer.flip();
        }
    }

    /** A buffer kept in read mode, moved to one the engine will find big enough. */
    private static ByteBuffer grow(ByteBuffer buffer, int sessionSize) {
        return TlsEngineSupport.moveTo(buffer, TlsEngineSupport.grownCapacity(buffer, sessionSize)).flip();
    }

    // ---- output ----------------------------------------------------------------------------------

    /** Wraps all of {@code b}'s {@code len} bytes from {@code off} into records and writes them. */
    void write(byte[] b, int off, int len) throws IOException {
        wrapAndSend(ByteBuffer.wrap(b, off, len));
    }

    /** Sends close_notify, so the client knows the data is complete. Quiet if the peer is gone. */
    void closeOutbound() {
        try {
            engine.closeOutbound();
            wrapAndSend(TlsEngineSupport.NO_DATA);
        } catch (IOException e) {
            // the peer went away first
        }
    }

    /** Wraps all of {@code data} into records and writes them. */
    private void wrapAndSend(ByteBuffer data) throws IOException {
        writeLock.lock();
        ByteBuffer net = LargeBuffers.take(engine.getSession().getPacketBufferSize());
        try {
            do {
                net.clear();
                SSLEngineResult result = engine.wrap(data, net);
                switch (result.getStatus()) {
                    case OK, CLOSED -> {
                        net.flip();
                        netOut.write(net.array(), 0, net.limit());
                        if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                            TlsEngineSupport.runDelegatedTasks(engine);
                        }
                        if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                            return;
                        }
                    }
                    case BUFFER_OVERFLOW -> net = ByteBuffer.allocate(
                            TlsEngineSupport.grownCapacity(net, engine.getSession().getPacketBufferSize()));
                    case BUFFER_UNDERFLOW -> throw new SSLException("unexpected underflow while wrapping");
                }
            } while (data.hasRemaining());
        } finally {
            LargeBuffers.give(net);
            writeLock.unlock();
        }
    }
}
