package dev.socketserver.internal;

import dev.socketserver.Connection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Connection} that speaks TLS over another connection's bytes, through an
 * {@link SSLEngine}. It works the same over TCP and Unix streams, and in any thread, since it only
 * reads and writes the plain connection's streams.
 *
 * <p>One thread may read while another writes. Reads unwrap under the read lock; everything that
 * wraps (application writes, handshake and post-handshake messages, close_notify) holds the write
 * lock, so records never interleave.
 */
public final class TlsConnection implements Connection {
    private final Connection plain;
    private final SSLEngine engine;
    private final TlsPolicy policy;     // counts and logs refusals; null on the client side, which refuses uncounted
    private final InputStream netIn;
    private final OutputStream netOut;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private ByteBuffer netInBuffer;     // guarded by readLock; kept in read mode
    private ByteBuffer appInBuffer;     // guarded by readLock; kept in read mode
    private ByteBuffer netOutBuffer;    // guarded by writeLock
    private final SocketInput in;
    private final OutputStream out = new TlsOutput();
    private boolean inboundDone;        // guarded by readLock
    private long handshakeDeadlineNanos; // guarded by readLock; while handshaking, when the handshake must be over
    private Duration handshakeDeadline;  // guarded by readLock; null once the handshake is over
    private boolean handshakeDone;       // guarded by readLock; the first handshake succeeded
    // volatile: set under readLock by the handler's read, read by the server once the handler has ended
    private volatile boolean renegotiationRefused;

    private TlsConnection(Connection plain, SSLEngine engine, TlsPolicy policy) {
        this.plain = plain;
        this.engine = engine;
        this.policy = policy;
        this.netIn = plain.in();
        this.netOut = plain.out();
        SSLSession session = engine.getSession();
        this.netInBuffer = ByteBuffer.allocate(session.getPacketBufferSize()).flip();
        this.appInBuffer = ByteBuffer.allocate(session.getApplicationBufferSize()).flip();
        this.netOutBuffer = ByteBuffer.allocate(session.getPacketBufferSize());
        this.in = new SocketInput(new TlsInput());
    }

    /**
     * Runs the server side of a handshake over {@code plain}, within {@code deadline}, with the
     * engine and the rules of {@link TlsPolicy}: TLS 1.2 and 1.3 only, renegotiation refused
     * (counted and logged by {@code policy}). When {@code applicationProtocols} is not empty, one
     * of them is negotiated by ALPN (a client that offers none of them fails the handshake). The
     * handshake's reads use the deadline as their timeout, and the whole handshake must end within
     * it too.
     *
     * @throws SSLHandshakeException if the handshake fails or does not finish in time
     */
    public static TlsConnection accept(Connection plain, SSLContext context, boolean needClientAuth,
                                       java.util.List<String> applicationProtocols, Duration deadline,
                                       TlsPolicy policy) throws IOException {
        SSLEngine engine = TlsPolicy.serverEngine(context, plain.clientAddress(), needClientAuth, applicationProtocols);
        TlsConnection tls = new TlsConnection(plain, engine, Objects.requireNonNull(policy, "policy"));
        try {
            tls.handshake(System.nanoTime() + deadline.toNanos(), deadline);
        } catch (SSLException e) {
            tls.closeOutbound();   // sends the alert the engine prepared, so the client learns why
            throw e;
        }
        return tls;
    }

    /** Runs the client side of a handshake over {@code plain}: for tests and tools that talk TLS over a Unix stream. */
    public static TlsConnection connect(Connection plain, SSLContext context, String host, Duration deadline) throws IOException {
        TlsConnection tls = new TlsConnection(plain, TlsPolicy.clientEngine(context, host), null);
        tls.handshake(System.nanoTime() + deadline.toNanos(), deadline);
        return tls;
    }

    /**
     * Whether this connection ended because the client asked for a renegotiation, which was
     * refused (and already counted and logged): what the handler then throws is expected.
     */
    public boolean renegotiationRefused() {
        return renegotiationRefused;
    }

    /** Runs the handshake; every read in it waits at most until the deadline. The read timeout is restored after. */
    private void handshake(long deadlineNanos, Duration deadline) throws IOException {
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
                throw new SSLHandshakeException("TLS handshake did not finish within " + deadline.toMillis() + " ms");
            }
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> wrapAndSend(ByteBuffer.allocate(0));
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    readLock.lock();
                    try {
                        if (unwrapOnce() < 0) {
                            throw new SSLHandshakeException("the client closed the connection during the TLS handshake");
                        }
                    } finally {
                        readLock.unlock();
                    }
                }
                case NEED_TASK -> runTasks();
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
            }
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /**
     * Unwraps one record into the application buffer, reading from the network as needed. Holds
     * readLock. Returns the application bytes it produced, or -1 at the end of the stream.
     */
    private int unwrapOnce() throws IOException {
        while (true) {
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
                        runTasks();
                        status = engine.getHandshakeStatus();   // what the tasks left to do
                    }
                    if (status == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                        wrapAndSend(ByteBuffer.allocate(0));   // a post-handshake reply, such as a TLS 1.3 key update
                    }
                    return result.bytesProduced();
                }
                case BUFFER_UNDERFLOW -> {
                    if (netInBuffer.limit() == netInBuffer.capacity() && netInBuffer.position() == 0) {
                        netInBuffer = grow(netInBuffer, engine.getSession().getPacketBufferSize());
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
                throw handshakeTimedOut();
            }
            plain.setReadTimeout(Duration.ofNanos(Math.max(remaining, 1_000_000)));
        }
        ByteBuffer buffer = netInBuffer.compact();
        try {
            int n;
            try {
                n = netIn.read(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            } catch (SocketTimeoutException e) {
                throw handshakeDeadline == null ? e : handshakeTimedOut();
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

    /** Wraps all of {@code data} into records and writes them. */
    private void wrapAndSend(ByteBuffer data) throws IOException {
        writeLock.lock();
        try {
            do {
                netOutBuffer.clear();
                SSLEngineResult result = engine.wrap(data, netOutBuffer);
                switch (result.getStatus()) {
                    case OK, CLOSED -> {
                        netOutBuffer.flip();
                        netOut.write(netOutBuffer.array(), 0, netOutBuffer.limit());
                        if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                            runTasks();
                        }
                        if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                            return;
                        }
                    }
                    case BUFFER_OVERFLOW -> netOutBuffer = ByteBuffer.allocate(netOutBuffer.capacity() * 2);
                    case BUFFER_UNDERFLOW -> throw new SSLException("unexpected underflow while wrapping");
                }
            } while (data.hasRemaining());
        } finally {
            writeLock.unlock();
        }
    }

    /** Not an {@link SSLException}: no alert is sent to a client that may not be reading either. */
    private SocketTimeoutException handshakeTimedOut() {
        return new SocketTimeoutException("TLS handshake did not finish within " + handshakeDeadline.toMillis() + " ms");
    }

    private static ByteBuffer grow(ByteBuffer buffer, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(atLeast, buffer.capacity() * 2));
        bigger.put(buffer).flip();
        return bigger;
    }

    private final class TlsInput extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
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
                return n;
            } finally {
                readLock.unlock();
            }
        }

        @Override
        public int available() {
            return appInBuffer.remaining();
        }
    }

    private final class TlsOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (engine.isOutboundDone()) {
                throw new EOFException("TLS output is closed");
            }
            wrapAndSend(ByteBuffer.wrap(b, off, len));
        }

        /** Does not close the connection. */
        @Override
        public void close() {
        }
    }

    /** The negotiated session: protocol, cipher suite, peer certificates; an {@code ExtendedSSLSession} also gives the SNI names. */
    @Override
    public Optional<SSLSession> tlsSession() {
        return Optional.of(engine.getSession());
    }

    @Override
    public Optional<String> tlsApplicationProtocol() {
        String protocol = engine.getApplicationProtocol();
        return protocol == null || protocol.isEmpty() ? Optional.empty() : Optional.of(protocol);
    }

    /** Sends close_notify, so the client knows the data is complete. Quiet if the peer is gone. */
    public void closeOutbound() {
        try {
            engine.closeOutbound();
            wrapAndSend(ByteBuffer.allocate(0));
        } catch (IOException e) {
            // the peer went away first
        }
    }

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public String readLine() throws IOException {
        return in.readLine();
    }

    @Override
    public SocketAddress clientAddress() {
        return plain.clientAddress();
    }

    @Override
    public SocketAddress localAddress() {
        return plain.localAddress();
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        plain.setReadTimeout(timeout);
    }

    @Override
    public Duration readTimeout() {
        return plain.readTimeout();
    }

    @Override
    public void setNoDelay(boolean on) throws IOException {
        plain.setNoDelay(on);
    }

    @Override
    public void shutdownOutput() throws IOException {
        closeOutbound();
        plain.shutdownOutput();
    }

    @Override
    public boolean isOpen() {
        return plain.isOpen();
    }

    @Override
    public void close() {
        plain.close();
    }

    @Override
    public String toString() {
        return "TLS " + plain;
    }
}
