package dev.socketserver.async;

import dev.socketserver.ProxyInfo;
import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.ProxyAdmission;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
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
 * {@link ProxyHeaderStage} until it is complete, and what follows it in the same read goes on
 * to the protocol. With TLS on, it is once the handshake has finished: from then on reads and
 * writes pass through a {@link TlsLayer}, and the write buffer holds plaintext.
 *
 * <p>Here: the connection's life (opening, closing, the protocol's callbacks) and what the protocol
 * may ask of it. Its parts do the rest: an {@link InboundReader} reads and delivers, an
 * {@link OutboundBuffer} holds and writes what the protocol wrote, a {@link ConnectionExpiry} ends
 * it for its timeouts and at a drain's quiet points.
 */
final class StreamConnection implements Transport, EventLoop.LoopChannel, Runnable {
    private static final System.Logger LOG = System.getLogger(Loggers.REQUEST);   // what a connection logs, as on the blocking servers

    private final ServerContext server;
    private final EventLoop loop;
    private final ConnectionSocket channel;
    private final Supplier<? extends Protocol> protocols;
    private Protocol protocol;                  // null until made
    private final SocketAddress peerAddress;    // the socket's peer: a load balancer, with the PROXY protocol
    private SocketAddress clientAddress;        // the client: the peer, or the PROXY header's source
    private final SocketAddress localAddress;
    private ProxyInfo proxyInfo;
    // volatile: tlsSession() may be asked from any thread; set once, on the loop
    private volatile TlsLayer tls;              // non-null on a TLS server, once the PROXY header (if any) is read
    private final InboundReader inbound;        // reads the socket, delivers to the protocol
    private final OutboundBuffer outbound;      // what the protocol wrote that the socket has not taken yet
    private final ConnectionExpiry expiry;      // timeouts, and a drain's quiet points
    private LoopKey key;
    private boolean closed;
    private boolean closing;
    // volatile: isClosing() may be asked from any thread
    private volatile boolean closeRequested;

    StreamConnection(ServerContext server, EventLoop loop, ConnectionSocket channel, Supplier<? extends Protocol> protocols) throws IOException {
        this.server = server;
        this.loop = loop;
        this.channel = channel;
        this.protocols = protocols;
        this.peerAddress = channel.remoteAddress();
        this.clientAddress = peerAddress;
        this.localAddress = channel.localAddress();
        this.inbound = new InboundReader(this, channel, loop);
        this.outbound = new OutboundBuffer(this, inbound, channel, server);
        this.expiry = new ConnectionExpiry(this, inbound, outbound, server);
        if (localAddress instanceof InetSocketAddress) {
            channel.setNoDelay();   // as on the blocking servers, and in Netty
        }
    }

    /** Opens the connection on its loop. */
    @Override
    public void run() {
        open();
    }

    /** Registers with the loop, then awaits the PROXY header or makes the protocol. Runs on the loop. */
    void open() {
        expiry.opened(System.nanoTime());
        ProxyAdmission admission = server.proxyAdmission();
        boolean proxied = admission.isOn();
        if (proxied && !admission.admits(peerAddress)) {
            closeNow(null, false);
            return;
        }
        try {
            key = channel.register(loop, SelectionKey.OP_READ, this);
        } catch (IOException | RuntimeException e) {
            closeNow(e, false);
            return;
        }
        if (proxied) {
            inbound.awaitProxyHeader(new ProxyHeaderStage(this, loop, admission, peerAddress));
            return;
        }
        ready();
    }

    /** The PROXY header has been read: the client is its source, if it names one. Starts TLS, or makes the protocol. */
    void proxyHeaderRead(ProxyInfo info) {
        proxyInfo = info;
        if (info.source() != null) {
            clientAddress = info.source();
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
        tls = TlsLayer.accept(server, this, inbound, channel, loop, context, peerAddress);
        tls.begin(server.tlsHandshakeDeadline());
    }

    /** Makes the protocol and tells it the connection is open: past its PROXY header, and TLS handshake, if any. */
    void made() {
        Protocol made;
        try {
            made = protocols.get();
            if (made == null) {
                throw new IllegalStateException("the protocol factory returned null");
            }
        } catch (RuntimeException e) {
            server.countHandlerError();
            LOG.log(Level.WARNING, "closing connection from " + Addresses.format(clientAddress) + ": the protocol factory failed", e);
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

    @Override
    public void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            outbound.flush();
        }
        if (!closed && key.isValid() && (readyOps & SelectionKey.OP_READ) != 0) {
            inbound.read();
        }
        if (expiry.closesWhenQuiet()) {
            expiry.closeIfQuiet();
        }
    }

    /** Bytes came from the socket. */
    void readBytes(int n) {
        expiry.active(loop.now());
        loop.countIn(n);
    }

    /** Bytes went to the socket. */
    void wroteBytes(long bytes) {
        if (bytes > 0) {
            expiry.active(loop.now());
            loop.countOut(bytes);
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Whether the protocol takes data now (see {@link InboundReader#acceptsData()}): for a {@link FramedProtocol} between frames. */
    boolean acceptsData() {
        return inbound.acceptsData();
    }

    /** Whether the connection is closing on the loop ({@link #close} has run) or closed: nothing more is read or written. */
    boolean closeStarted() {
        return closing;
    }

    @Override
    public void write(byte[] data) {
        write(ByteBuffer.wrap(data));
    }

    @Override
    public void write(ByteBuffer data) {
        if (!loop.inEventLoop()) {
            ByteBuffer copy = OutboundBuffer.copy(data);
            loop.execute(() -> writeOnLoop(copy, true));
            return;
        }
        writeOnLoop(data, false);
    }

    private void writeOnLoop(ByteBuffer data, boolean owned) {
        if (closing || outbound.isShutdown() || !data.hasRemaining()) {
            return;
        }
        inbound.answered();
        if (owned && expiry.closesWhenQuiet()) {
            loop.execute(expiry::closeIfQuiet);   // a write from another thread may be the last answer a drain waits for
        }
        outbound.write(data, owned);
    }

    /** Writes what is pending (see {@link OutboundBuffer#flush}). */
    void flush() {
        outbound.flush();
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
        if (outbound.isIdle()) {
            outbound.finishClose();
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
        onLoop(outbound::shutdown);
    }

    @Override
    public void pauseReading() {
        onLoop(inbound::pause);
    }

    @Override
    public void resumeReading() {
        onLoop(inbound::resume);
    }

    @Override
    public void setBackpressure(boolean on) {
        onLoop(() -> inbound.setBackpressure(on));
    }

    /** Runs {@code action} now if this is the connection's loop, else hands it to the loop, in order. */
    private void onLoop(Runnable action) {
        if (loop.inEventLoop()) {
            action.run();
        } else {
            loop.execute(action);
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
    void failed(String callback, RuntimeException e) {
        server.countHandlerError();
        LOG.log(Level.WARNING, "closing connection from " + Addresses.format(clientAddress) + ": " + callback + " threw", e);
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
            LOG.log(Level.DEBUG, "connection from " + Addresses.format(clientAddress) + " ended: " + cause);
        }
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
        outbound.clear();
        inbound.clear();
        try {
            if (protocol != null) {   // else closed before it was made: no callbacks at all
                protocol.connectionLost(cause);
            }
        } catch (RuntimeException e) {
            server.countHandlerError();
            LOG.log(Level.WARNING, "connectionLost of " + Addresses.format(clientAddress) + " threw", e);
        } finally {
            server.connectionClosed(this);   // after connectionLost: a connection counts against the cap until then
        }
    }

    /** The protocol, once made (null until then). */
    Protocol protocol() {
        return protocol;
    }

    /** What ends the connection for its timeouts and at a drain's quiet points. */
    ConnectionExpiry expiry() {
        return expiry;
    }

    /** The TLS layer, on a TLS server once the PROXY header (if any) is read; else null. */
    TlsLayer tls() {
        return tls;
    }

    @Override
    public long writeBufferSize() {
        return outbound.size();
    }

    @Override
    public boolean isClosing() {
        return closeRequested;
    }

    @Override
    public SocketAddress clientAddress() {
        return clientAddress;
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
        return "connection from " + Addresses.format(clientAddress)
                + (clientAddress == peerAddress ? "" : " via " + Addresses.format(peerAddress));
    }
}
