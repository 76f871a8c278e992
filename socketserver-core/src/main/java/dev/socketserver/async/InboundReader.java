package dev.socketserver.async;

import dev.socketserver.ProxyInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * A {@link StreamConnection}'s reading side: reads the socket into the loop's shared buffer, at
 * most {@value #READS_PER_WAKEUP} reads a wakeup, and hands what it reads to the protocol. Until
 * the PROXY header (if any) is complete, reads go to the {@link ProxyHeaderStage}; with TLS on,
 * the {@link TlsLayer} reads the socket for itself and hands the plaintext to {@link #deliver}.
 *
 * <p>While reading is paused, by the protocol or by backpressure (the connection's write buffer is
 * above the high-water mark), nothing more is read, and what was read meanwhile is held (a copy)
 * until it resumes. A {@link FramedProtocol} stops taking frames when reading pauses during its
 * {@code dataReceived} and leaves the rest of the read: that rest is held the same way, so the
 * frames a read brought are not handed over while the replies are backed up. Loop thread only.
 */
final class InboundReader {
    /** Reads of the socket a wakeup, at most: one busy connection does not starve the loop's others. */
    static final int READS_PER_WAKEUP = 16;

    private final StreamConnection connection;
    private final ConnectionSocket channel;
    private final EventLoop loop;
    private ProxyHeaderStage proxyStage;    // non-null while the PROXY header is awaited
    private ByteBuffer held;                // bytes read but not delivered because reading was paused meanwhile
    private boolean paused;                 // reading is paused: by the protocol, or by backpressure
    private boolean pausedByProtocol;
    private boolean backedUp;               // the write buffer is above the high-water mark
    private boolean backpressure = true;    // whether a backed-up write buffer pauses reading
    private boolean ended;                  // the socket's input ended
    private boolean answered = true;        // the protocol wrote since data was last delivered, or none was
    private long deliveries;

    InboundReader(StreamConnection connection, ConnectionSocket channel, EventLoop loop) {
        this.connection = connection;
        this.channel = channel;
        this.loop = loop;
    }

    /** Reads go to {@code stage} until the PROXY header is complete. */
    void awaitProxyHeader(ProxyHeaderStage stage) {
        proxyStage = stage;
    }

    /** The socket is readable: reads it, and delivers what it reads. */
    void read() {
        if (held != null && !deliverHeld()) {
            return;
        }
        TlsLayer tls = connection.tls();
        if (tls != null) {
            tls.read();
            return;
        }
        ByteBuffer buffer = loop.readBuffer;
        for (int i = 0; i < READS_PER_WAKEUP && !connection.isClosed() && !paused && !connection.closeStarted(); i++) {
            buffer.clear();
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException e) {
                if (proxyStage != null) {
                    proxyStage.readFailed(e);
                }
                connection.closeNow(e, true);
                return;
            }
            if (n < 0) {
                endOfStream();
                return;
            }
            if (n == 0) {
                return;
            }
            connection.readBytes(n);
            buffer.flip();
            if (proxyStage != null && (!readProxyHeader(buffer) || !buffer.hasRemaining())) {
                if (connection.isClosed() || connection.tls() != null || n < buffer.capacity()) {
                    return;   // refused, TLS reads for itself from now on, or the socket is drained
                }
                continue;
            }
            if (!deliver(buffer) || n < buffer.capacity()) {
                return;   // failed, paused, or the socket is drained
            }
        }
    }

    /**
     * Feeds a read to the PROXY header stage. Returns true once the header is complete, with
     * {@code data} positioned after it and the protocol made; false while more is needed, if the
     * header was refused (the connection is then closed), or if TLS starts, which takes what
     * follows the header itself.
     */
    private boolean readProxyHeader(ByteBuffer data) {
        ProxyInfo info = proxyStage.offer(data);
        if (info == null) {
            return false;
        }
        proxyStage = null;
        connection.proxyHeaderRead(info);
        TlsLayer tls = connection.tls();
        if (tls != null) {
            if (data.hasRemaining() && !connection.isClosed()) {
                tls.received(data);   // the ClientHello, behind the header
            }
            return false;
        }
        return !connection.isClosed();
    }

    /**
     * Whether the protocol takes data now: it has not paused reading, nothing held waits to be
     * delivered first, and the connection is not closing.
     */
    boolean acceptsData() {
        return !paused && held == null && !connection.closeStarted();
    }

    /** Hands read bytes to the protocol, or holds them if reading was paused meanwhile. Returns whether to go on reading. */
    boolean deliver(ByteBuffer data) {
        return deliver(data, false);
    }

    /** {@code owned}: {@code data} is held already (not the loop's buffer), and may be held again as it is. */
    private boolean deliver(ByteBuffer data, boolean owned) {
        if (connection.closeStarted()) {
            return false;
        }
        if (paused) {
            held = owned ? data : OutboundBuffer.copy(data);
            return false;
        }
        deliveries++;
        answered = false;
        Protocol protocol = connection.protocol();
        try {
            protocol.dataReceived(data);
        } catch (RuntimeException e) {
            connection.failed("dataReceived", e);
            return false;
        }
        if (paused && data.hasRemaining() && protocol instanceof FramedProtocol && !connection.closeStarted()) {
            held = owned ? data : OutboundBuffer.copy(data);   // the frames it left when reading paused
            return false;
        }
        return true;
    }

    /** Delivers what was held while reading was paused. Returns whether to go on reading. */
    boolean deliverHeld() {
        ByteBuffer data = held;
        if (data == null || paused || connection.isClosed()) {
            return data == null;
        }
        held = null;
        return deliver(data, true);
    }

    /** The peer's input ended: a truncated PROXY header, or the protocol's {@code eofReceived}. */
    void endOfStream() {
        if (proxyStage != null) {
            proxyStage.endOfStream();
            return;
        }
        ended = true;
        connection.setInterest(SelectionKey.OP_READ, false);
        boolean keepOpen;
        try {
            keepOpen = connection.protocol().eofReceived();
        } catch (RuntimeException e) {
            connection.failed("eofReceived", e);
            return;
        }
        if (!keepOpen) {
            connection.close();
        }
    }

    /** The protocol paused reading. */
    void pause() {
        pausedByProtocol = true;
        updatePause();
    }

    /** The protocol resumed reading. */
    void resume() {
        pausedByProtocol = false;
        updatePause();
    }

    /** The write buffer went above the high-water mark, or came back to the low one. */
    void backedUp(boolean on) {
        backedUp = on;
        updatePause();
    }

    /** Whether a backed-up write buffer pauses reading. */
    void setBackpressure(boolean on) {
        backpressure = on;
        updatePause();
    }

    private void updatePause() {
        boolean pause = pausedByProtocol || (backpressure && backedUp);
        if (pause && !paused) {
            paused = true;
            connection.setInterest(SelectionKey.OP_READ, false);
        } else if (!pause && paused) {
            unpause();
        }
    }

    /**
     * Reading resumes, unless the connection is closing: what was held, or waits in the TLS
     * layer, is delivered later, not inside the callback that resumed it.
     */
    private void unpause() {
        if (connection.closeStarted()) {
            return;
        }
        paused = false;
        if (!ended) {
            connection.setInterest(SelectionKey.OP_READ, true);
        }
        if (held != null || connection.tls() != null) {
            loop.execute(this::resumeDelivery);
        }
    }

    /** Delivers what was held, then what waits in the TLS buffer: records may wait there with nothing more to come. */
    private void resumeDelivery() {
        if (held != null && !deliverHeld()) {
            return;
        }
        if (connection.tls() != null) {
            processTlsInput();
        }
    }

    private void processTlsInput() {
        TlsLayer tls = connection.tls();
        if (!connection.isClosed() && acceptsData() && tls.process()) {
            tls.read();
        }
    }

    /** The protocol wrote: it answered what was delivered. */
    void answered() {
        answered = true;
    }

    /**
     * Whether the reading side is quiet: everything delivered to the protocol has been followed by
     * a write, nothing is held, reading is not paused, and no TLS record is half received.
     */
    boolean isQuiet() {
        TlsLayer tls = connection.tls();
        return answered && held == null && !paused && (tls == null || !tls.holdsInput());
    }

    /** How many reads have been delivered to the protocol: a drain's check that none came in meanwhile. */
    long deliveries() {
        return deliveries;
    }

    /** Whether the peer's input has ended. */
    boolean ended() {
        return ended;
    }

    /** Drops what is held: the connection is closed. */
    void clear() {
        held = null;
    }
}
