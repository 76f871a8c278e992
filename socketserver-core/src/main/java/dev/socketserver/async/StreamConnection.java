package dev.socketserver.async;

import dev.socketserver.ProxyInfo;
import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.DrainPlan;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.ProxyAdmission;
import dev.socketserver.internal.proxy.ProxyHeader;
import dev.socketserver.internal.proxy.ProxyProtocolException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One stream connection on an event loop: the {@link Transport} its {@link Protocol} sees.
 * Everything here runs in the loop's thread; the public methods called from other threads hand
 * themselves to the loop first.
 *
 * <p>The connection is handed to its loop as a task ({@link #run()} opens it), so a loop that stops
 * before opening it still closes it. The protocol is made on the loop, when the connection is ready
 * for it; until then no callback runs, and none runs at all for a connection closed before that.
 * With the PROXY protocol on, that is once the header has been read: every read goes to a
 * {@link ProxyHeaderReader} until it is complete, and what follows it in the same read goes on
 * to the protocol. With TLS on, it is once the handshake has finished: from then on reads and
 * writes pass through a {@link TlsLayer}, and the write buffer holds plaintext.
 */
final class StreamConnection implements Transport, EventLoop.LoopChannel, Runnable {
    private static final System.Logger LOG = System.getLogger(Loggers.REQUEST);   // what a connection logs, as on the blocking servers
    private static final int READS_PER_WAKEUP = 16;

    private final AsyncServer server;
    private final EventLoop loop;
    private final SocketChannel channel;
    private final Supplier<? extends Protocol> protocols;
    private Protocol protocol;                  // null until made
    private final SocketAddress peerAddress;    // the socket's peer: a load balancer, with the PROXY protocol
    private SocketAddress remoteAddress;        // the client: the peer, or the PROXY header's source
    private final SocketAddress localAddress;
    private ProxyHeaderReader proxyReader;      // non-null while the PROXY header is awaited
    private EventLoop.Timer proxyDeadline;
    private ProxyInfo proxyInfo;
    private ByteBuffer heldInput;               // bytes read but not delivered because reading was paused meanwhile
    // volatile: tlsSession() may be asked from any thread; set once, on the loop
    private volatile TlsLayer tls;              // non-null on a TLS server, once the PROXY header (if any) is read
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
    private boolean answered = true;            // the protocol wrote since data was last delivered, or none was
    private boolean closeWhenQuiet;             // a drain's final window: the next quiet point closes the connection
    private long deliveries;
    private boolean inputEnded;
    // volatile: isClosing() and writeBufferSize() may be asked from any thread
    private volatile boolean closeRequested;
    private volatile long reportedPendingBytes;

    StreamConnection(AsyncServer server, EventLoop loop, SocketChannel channel, Supplier<? extends Protocol> protocols) throws IOException {
        this.server = server;
        this.loop = loop;
        this.channel = channel;
        this.protocols = protocols;
        this.peerAddress = channel.getRemoteAddress();
        this.remoteAddress = peerAddress;
        this.localAddress = channel.getLocalAddress();
        if (localAddress instanceof InetSocketAddress) {
            channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);   // as on the blocking servers, and in Netty
        }
    }

    /** Opens the connection on its loop. */
    @Override
    public void run() {
        open();
    }

    /** Registers with the loop, then awaits the PROXY header or makes the protocol. Runs on the loop. */
    void open() {
        openedNanos = System.nanoTime();
        lastActivityNanos = openedNanos;
        ProxyAdmission admission = server.proxyAdmission();
        boolean proxied = admission.isOn();
        if (proxied && !admission.admits(peerAddress)) {
            closeNow(null, false);
            return;
        }
        try {
            channel.configureBlocking(false);
            key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
        } catch (IOException e) {
            closeNow(e, false);
            return;
        }
        if (proxied) {
            proxyReader = new ProxyHeaderReader();
            proxyDeadline = loop.schedule(admission.headerDeadline(), () -> {
                if (proxyReader != null && !closed) {
                    admission.timedOut(peerAddress);
                    closeNow(null, false);
                }
            });
            return;
        }
        ready();
    }

    /** The connection is past its PROXY header, if any: starts TLS, or makes the protocol. */
    private void ready() {
        SSLContext context = server.sslContext();
        if (context == null) {
            made();
            return;
        }
        tls = TlsLayer.accept(this, channel, loop, context, peerAddress, server.tlsNeedClientAuth(), server.tlsApplicationProtocols());
        tls.begin(server.tlsHandshakeDeadline());
    }

    /** The TLS handshake has finished. */
    void tlsReady() {
        made();
    }

    /** The TLS handshake ran out of time; {@link #tlsHandshakeFailed} follows. */
    void tlsHandshakeTimedOut() {
        server.countTimeout();
    }

    /** The client asked for a TLS renegotiation, which is refused: counted and logged (at most once a second) by the server. */
    void tlsRenegotiationRefused() {
        server.tlsPolicy().renegotiationRefused(remoteAddress);
    }

    /** The TLS handshake failed or ran out of time: counted and logged (at most once a second) by the server. */
    void tlsHandshakeFailed(String why) {
        server.tlsHandshakeFailed(() -> "TLS handshake with " + Addresses.format(remoteAddress) + " failed: " + why);
    }

    /**
     * Feeds a read to the PROXY header reader. Returns true once the header is complete, with
     * {@code data} positioned after it; false while more is needed, or if the header was refused
     * (the connection is then closed).
     */
    private boolean readProxyHeader(ByteBuffer data) {
        ProxyHeader header;
        try {
            header = proxyReader.offer(data);
        } catch (ProxyProtocolException e) {
            rejectProxy(e);
            return false;
        }
        if (header == null) {
            return false;
        }
        proxyReader = null;
        proxyDeadline.cancel();
        proxyInfo = ProxyAdmission.info(header);
        if (proxyInfo.source() != null) {
            remoteAddress = proxyInfo.source();
        }
        ready();
        if (tls != null) {
            if (data.hasRemaining() && !closed) {
                tls.received(data);   // the ClientHello, behind the header
            }
            return false;
        }
        return !closed;
    }

    /** The PROXY header could not be read: counted and logged as the admission says, and the connection closed. */
    private void rejectProxy(IOException failure) {
        server.proxyAdmission().rejected(peerAddress, failure);
        closeNow(null, false);
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
        server.countTimeout();
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
        if (closeWhenQuiet) {
            closeIfQuiet();
        }
    }

    /**
     * A drain's look at this connection (see {@link DrainPlan}): closes it if it is quiet and has
     * been for long enough, or at once in the drain's final window, from when on its next quiet
     * point closes it too. Runs on the loop.
     */
    void drainLook(DrainPlan plan, long nowNanos) {
        if (plan.inFinalWindow(nowNanos)) {
            closeWhenQuiet = true;
        }
        if (plan.endsQuiet(lastActivityNanos, nowNanos)) {
            closeIfQuiet();
        }
    }

    /**
     * Closes the connection if it is quiet: everything delivered to the protocol has been followed
     * by a write, all of it is written, nothing is held, and the socket has nothing more to read
     * (what it has is read and delivered first).
     */
    private void closeIfQuiet() {
        if (closed || closing || !quiet()) {
            return;
        }
        long before = deliveries;
        if (!inputEnded) {
            read();   // whatever the client sent meanwhile is a request under way
        }
        if (closed || closing || deliveries != before || !quiet()) {
            return;
        }
        server.counters.drainQuietCloses.increment();
        close();
    }

    private boolean quiet() {
        return answered && outputIdle() && heldInput == null && !readingPaused && (tls == null || !tls.holdsInput());
    }

    private void read() {
        if (tls != null) {
            tls.read();
            return;
        }
        if (heldInput != null && !deliverHeldInput()) {
            return;
        }
        ByteBuffer buffer = loop.readBuffer;
        for (int i = 0; i < READS_PER_WAKEUP && !closed && !readingPaused && !closing; i++) {
            buffer.clear();
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException e) {
                if (proxyReader != null) {
                    server.proxyAdmission().rejected(peerAddress, e);   // counted as "io", as on the blocking servers
                }
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
            readBytes(n);
            buffer.flip();
            if (proxyReader != null && (!readProxyHeader(buffer) || !buffer.hasRemaining())) {
                if (closed || tls != null || n < buffer.capacity()) {
                    return;   // refused, TLS reads for itself from now on, or the socket is drained
                }
                continue;
            }
            if (!deliver(buffer) || n < buffer.capacity()) {
                return;   // failed, paused, or the socket is drained
            }
        }
    }

    /** Bytes came from the socket. */
    void readBytes(int n) {
        lastActivityNanos = loop.now();
        loop.countIn(n);
    }

    /** Whether the protocol takes data now: it has not paused reading, and the connection is not closing. */
    boolean acceptsData() {
        return !readingPaused && !closing;
    }

    boolean isClosed() {
        return closed;
    }

    /** Hands read bytes to the protocol, or holds them if reading was paused meanwhile. Returns whether to go on reading. */
    boolean deliver(ByteBuffer data) {
        if (closing) {
            return false;
        }
        if (readingPaused) {
            heldInput = copy(data);
            return false;
        }
        deliveries++;
        answered = false;
        try {
            protocol.dataReceived(data);
        } catch (RuntimeException e) {
            failed("dataReceived", e);
            return false;
        }
        return true;
    }

    /** Delivers what was held while reading was paused. Returns whether to go on reading. */
    private boolean deliverHeldInput() {
        ByteBuffer held = heldInput;
        if (held == null || readingPaused || closed) {
            return held == null;
        }
        heldInput = null;
        return deliver(held);
    }

    void endOfStream() {
        if (proxyReader != null) {
            int held = proxyReader.heldBytes();
            rejectProxy(new ProxyProtocolException(ProxyProtocolException.Reason.TRUNCATED, "the stream ended after "
                    + held + " byte(s) of it"));
            return;
        }
        inputEnded = true;
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
        answered = true;
        if (owned && closeWhenQuiet) {
            loop.execute(this::closeIfQuiet);   // a write from another thread may be the last answer a drain waits for
        }
        if (pending.isEmpty()) {
            if (tls == null) {
                try {
                    wroteBytes(channel.write(data));
                } catch (IOException e) {
                    closeNow(e, true);
                    return;
                }
            } else if (tls.canWrite()) {
                tls.write(data);
                if (closed) {
                    return;
                }
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
    void flush() {
        if (tls != null) {
            flushTls();
        } else {
            flushPlain();
        }
        if (closed) {
            return;
        }
        reportedPendingBytes = pendingBytes;
        if (!pending.isEmpty() || (tls != null && !tls.outputIdle())) {
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
            finishClose();
        } else if (outputShutdownRequested) {
            shutdownOutputNow();
        }
    }

    /** Encrypts and writes what is pending, while the socket takes it all. */
    private void flushTls() {
        if (!tls.flushCipher()) {
            return;
        }
        if (tls.busy()) {
            tls.process();   // a handshake or a post-handshake message waited for the socket
            if (closed || !tls.outputIdle()) {
                return;
            }
        }
        while (!pending.isEmpty() && tls.canWrite()) {
            ByteBuffer head = pending.peek();
            pendingBytes -= tls.write(head);
            if (closed) {
                return;
            }
            if (!head.hasRemaining()) {
                pending.poll();
            }
        }
        if (!pending.isEmpty() && tls.outputIdle()) {
            setInterest(SelectionKey.OP_WRITE, false);   // waiting for the engine's task, not the socket: tasksDone flushes
        }
    }

    private void flushPlain() {
        while (!pending.isEmpty()) {
            long written;
            try {
                written = channel.write(pending.toArray(ByteBuffer[]::new));
            } catch (IOException e) {
                closeNow(e, true);
                return;
            }
            wroteBytes(written);
            pendingBytes -= written;
            while (!pending.isEmpty() && !pending.peek().hasRemaining()) {
                pending.poll();
            }
            if (written == 0) {
                break;
            }
        }
    }

    /** Closes once everything is written: after a TLS close_notify, if TLS is on. */
    private void finishClose() {
        if (tls != null) {
            tls.closeOutbound();
        }
        closeNow(null, false);
    }

    private boolean outputIdle() {
        return pending.isEmpty() && (tls == null || tls.outputIdle());
    }

    /** Bytes went to the socket. */
    void wroteBytes(long bytes) {
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
        if (outputIdle()) {
            finishClose();
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
    public boolean isConnection() {
        return true;
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
        if (outputIdle()) {
            shutdownOutputNow();
        }
    }

    private void shutdownOutputNow() {
        if (tls != null) {
            tls.closeOutbound();
            if (closed) {
                return;
            }
        }
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
        if (heldInput != null) {
            loop.execute(this::deliverHeldInput);   // later, not inside the callback that resumed
        } else if (tls != null) {
            loop.execute(this::processTlsInput);    // records may be waiting in the TLS buffer, with nothing more to come
        }
    }

    private void processTlsInput() {
        if (!closed && acceptsData() && tls.process()) {
            tls.read();
        }
    }

    void setInterest(int op, boolean on) {
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
    void closeNow(Throwable cause, boolean peerError) {
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
        heldInput = null;
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
    public SocketAddress clientAddress() {
        return remoteAddress;
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public Optional<ProxyInfo> proxyInfo() {
        return Optional.ofNullable(proxyInfo);
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        TlsLayer layer = tls;
        return layer == null ? Optional.empty() : Optional.ofNullable(layer.session());
    }

    @Override
    public Optional<String> tlsApplicationProtocol() {
        TlsLayer layer = tls;
        return layer == null ? Optional.empty() : Optional.ofNullable(layer.applicationProtocol());
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return "connection from " + Addresses.format(remoteAddress)
                + (remoteAddress == peerAddress ? "" : " via " + Addresses.format(peerAddress));
    }
}
