package dev.socketserver.async;

import dev.socketserver.internal.TlsEngineSupport;
import dev.socketserver.internal.TlsPolicy;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.List;

/**
 * TLS for one {@link StreamConnection}, on its event loop: an {@link SSLEngine} between the
 * socket and the protocol. Everything here runs in the loop's thread, except the engine's
 * delegated tasks (key exchange, certificate checks), which run in a virtual thread while the
 * connection waits, so a slow one never holds up the loop's other connections.
 *
 * <p>Buffers: ciphertext is read straight into this connection's {@code netIn} (2 KiB while the
 * client sends small records, one record's worth, about 16 KiB, while it sends large ones, and back
 * to 2 KiB when the socket has nothing more), and decrypted into the loop's shared buffer, which the protocol reads
 * during {@code dataReceived}. Records are encrypted into the loop's shared buffer too; only what
 * the socket does not take at once is kept, by the {@link TlsRecordWriter} (about one record at
 * most), so the connection's write buffer, and its water marks, count plaintext bytes.
 */
final class TlsLayer {
    private static final int MAX_NET_IN = 64 * 1024;
    /** The ciphertext buffer of a connection that sends small records; a record that does not fit grows it. */
    private static final int SMALL_NET_IN = 2048;

    private final ServerContext server;
    private final StreamConnection connection;
    private final InboundReader inbound;
    private final ConnectionSocket channel;
    private final EventLoop loop;
    private final SSLEngine engine;
    private final TlsRecordWriter records;   // sends records, keeping what the socket does not take
    private ByteBuffer netIn;           // ciphertext not yet unwrapped; kept in fill mode
    private boolean handshaking = true;
    private boolean tasksRunning;
    private boolean inboundDone;
    private EventLoop.Timer deadline;
    // volatile: the protocol may ask for the session from any thread
    private volatile SSLSession session;
    private volatile String applicationProtocol;

    private TlsLayer(ServerContext server, StreamConnection connection, InboundReader inbound, ConnectionSocket channel,
                     EventLoop loop, SSLEngine engine) {
        this.server = server;
        this.connection = connection;
        this.inbound = inbound;
        this.channel = channel;
        this.loop = loop;
        this.engine = engine;
        this.records = new TlsRecordWriter(connection, channel);
        this.netIn = ByteBuffer.allocate(SMALL_NET_IN);
    }

    /**
     * TLS for a client at {@code peer}, by the rules of {@link TlsPolicy} (the blocking servers'
     * too): TLS 1.2 and 1.3 only, the JDK's default cipher suites, the server's ALPN protocols
     * (none: no ALPN), client certificates required if the server asks, renegotiation refused.
     * Plaintext goes to {@code inbound}.
     */
    static TlsLayer accept(ServerContext server, StreamConnection connection, InboundReader inbound, ConnectionSocket channel,
                           EventLoop loop, SSLContext context, SocketAddress peer) {
        SSLEngine engine = TlsPolicy.serverEngine(context, peer, server.tlsNeedClientAuth(), server.tlsApplicationProtocols());
        return new TlsLayer(server, connection, inbound, channel, loop, engine);
    }

    /** Starts the handshake, which must finish within {@code handshakeDeadline}. */
    void begin(Duration handshakeDeadline) {
        deadline = loop.schedule(handshakeDeadline, () -> {
            if (handshaking && !connection.isClosed()) {
                server.countTimeout();
                handshakeFailed(TlsEngineSupport.timeoutReason(handshakeDeadline), false);
            }
        });
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            handshakeFailed(e.getMessage(), true);
            return;
        }
        process();
    }

    /** The session, once the handshake has finished. Any thread. */
    SSLSession session() {
        return session;
    }

    /** The negotiated ALPN protocol, or null. Any thread. */
    String applicationProtocol() {
        return applicationProtocol;
    }

    // ---- input -----------------------------------------------------------------------------------

    /** The socket is readable: reads ciphertext and processes it. */
    void read() {
        for (int i = 0; i < InboundReader.READS_PER_WAKEUP && wantsInput(); i++) {
            if (!netIn.hasRemaining() && !growNetIn()) {
                return;
            }
            int n;
            try {
                n = channel.read(netIn);
            } catch (IOException e) {
                connection.closeNow(e, true);
                return;
            }
            if (n < 0) {
                inputEnded();
                return;
            }
            if (n == 0) {
                if (netIn.position() == 0 && netIn.capacity() > SMALL_NET_IN) {
                    netIn = ByteBuffer.allocate(SMALL_NET_IN);   // the client is quiet: give back what a burst grew
                }
                return;
            }
            connection.readBytes(n);
            if (!process()) {
                return;
            }
        }
    }

    /** Whether ciphertext is held that is not yet a whole record: the client is sending. */
    boolean holdsInput() {
        return netIn.position() > 0;
    }

    /** Ciphertext that arrived behind a PROXY header, in the same read. */
    void received(ByteBuffer data) {
        if (netIn.remaining() < data.remaining()) {
            int size = netIn.position() + data.remaining();
            netIn = TlsEngineSupport.moveTo(netIn.flip(), size);
        }
        netIn.put(data);
        process();
    }

    private boolean wantsInput() {
        return !connection.isClosed() && !tasksRunning && !inboundDone && (handshaking || inbound.acceptsData());
    }

    /** A record longer than the buffer (the engine asked for more room): grow, within reason. */
    private boolean growNetIn() {
        if (netIn.capacity() >= MAX_NET_IN) {
            connection.closeNow(new SSLException("a TLS record longer than " + MAX_NET_IN + " bytes"), true);
            return false;
        }
        int size = TlsEngineSupport.grownCapacity(netIn, engine.getSession().getPacketBufferSize());
        netIn = TlsEngineSupport.moveTo(netIn.flip(), size);
        return true;
    }

    /**
     * Unwraps what {@code netIn} holds: drives the handshake and hands plaintext to the protocol.
     * Returns whether reading may go on (false when waiting for a task, paused, closed or failed).
     */
    boolean process() {
        netIn.flip();
        try {
            while (!connection.isClosed() && !tasksRunning) {
                HandshakeStatus status = engine.getHandshakeStatus();
                if (status == HandshakeStatus.NEED_TASK) {
                    runTasks();
                    return false;
                }
                if (status == HandshakeStatus.NEED_WRAP) {
                    if (!wrapOnce(TlsEngineSupport.NO_DATA)) {
                        return false;
                    }
                    continue;
                }
                if (handshaking && status == HandshakeStatus.NOT_HANDSHAKING) {
                    handshakeFinished();
                    continue;
                }
                if (inboundDone || (!handshaking && !inbound.acceptsData())) {
                    return false;
                }
                ByteBuffer app = loop.tlsAppBuffer(engine.getSession().getApplicationBufferSize());
                app.clear();
                SSLEngineResult result = engine.unwrap(netIn, app);
                switch (result.getStatus()) {
                    case BUFFER_UNDERFLOW -> {
                        return true;   // a record is not complete yet
                    }
                    case BUFFER_OVERFLOW -> {
                        loop.tlsAppBuffer(TlsEngineSupport.grownCapacity(app, engine.getSession().getApplicationBufferSize()));
                        continue;
                    }
                    case CLOSED -> {
                        inboundDone = true;   // the peer's close_notify
                        inbound.endOfStream();
                        return false;
                    }
                    case OK -> {
                    }
                }
                if (result.getHandshakeStatus() == HandshakeStatus.FINISHED && handshaking) {
                    handshakeFinished();
                }
                if (!handshaking && TlsPolicy.isRenegotiation(engine, result.getHandshakeStatus())) {
                    refuseRenegotiation();
                    return false;
                }
                app.flip();
                if (app.hasRemaining() && !inbound.deliver(app)) {
                    return false;
                }
                if (result.bytesConsumed() == 0 && result.bytesProduced() == 0 && engine.getHandshakeStatus() == status) {
                    return true;   // no progress: wait for more bytes
                }
            }
            return false;
        } catch (SSLException e) {
            failed(e);
            return false;
        } finally {
            netIn.compact();
        }
    }

    private void handshakeFinished() {
        handshaking = false;
        deadline.cancel();
        session = engine.getSession();
        applicationProtocol = TlsEngineSupport.applicationProtocol(engine);
        connection.made();
    }

    /** The socket reached its end: during the handshake a failure, after it the end of the peer's input. */
    private void inputEnded() {
        if (handshaking) {
            handshakeFailed(TlsEngineSupport.CLIENT_CLOSED, false);
            return;
        }
        inboundDone = true;
        try {
            engine.closeInbound();
        } catch (SSLException e) {
            // no close_notify first: the peer just closed; its input is complete all the same
        }
        inbound.endOfStream();
    }

    /** Runs the engine's delegated tasks in a virtual thread; reading waits, then carries on here. */
    private void runTasks() {
        List<Runnable> tasks = TlsEngineSupport.delegatedTasks(engine);
        tasksRunning = true;
        connection.setInterest(SelectionKey.OP_READ, false);
        Thread.ofVirtual().name("socketserver-tls-task").start(() -> {
            try {
                tasks.forEach(Runnable::run);
            } finally {
                loop.execute(this::tasksDone);
            }
        });
    }

    private void tasksDone() {
        tasksRunning = false;
        if (connection.isClosed()) {
            return;
        }
        if (handshaking || inbound.acceptsData()) {
            connection.setInterest(SelectionKey.OP_READ, true);
        }
        process();
        if (!connection.isClosed()) {
            connection.flush();   // writes that waited for the task, and handshake records
        }
    }

    // ---- output ----------------------------------------------------------------------------------

    /** Whether all ciphertext has gone to the socket (and nothing stops more from being written). */
    boolean outputIdle() {
        return records.isIdle();
    }

    /** Whether the engine has handshake work of its own (a handshake, a post-handshake message, a task). */
    boolean busy() {
        return handshaking || tasksRunning || engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING;
    }

    /** Whether application bytes can be encrypted now. */
    boolean canWrite() {
        return !handshaking && !tasksRunning && records.isIdle();
    }

    /**
     * Encrypts and sends {@code data} while the socket takes every byte. Returns the plaintext
     * bytes taken; the rest stays in {@code data}.
     */
    long write(ByteBuffer data) {
        int start = data.position();
        try {
            while (data.hasRemaining() && canWrite() && !connection.isClosed() && !engine.isOutboundDone()) {
                if (!wrapOnce(data)) {
                    break;
                }
            }
        } catch (SSLException e) {
            failed(e);
        }
        return data.position() - start;
    }

    /** Sends the ciphertext the socket did not take before. Returns whether all of it went. */
    boolean flushCipher() {
        return records.flush();
    }

    /** Sends close_notify, as far as the socket takes it now: a close never waits for it. */
    void closeOutbound() {
        engine.closeOutbound();
        try {
            // a few records at most (user_canceled, close_notify); bounded, in case the engine stops producing
            for (int i = 0; i < 4 && !engine.isOutboundDone() && !connection.isClosed(); i++) {
                if (!wrapOnce(TlsEngineSupport.NO_DATA)) {
                    break;
                }
            }
        } catch (SSLException e) {
            // the engine failed already; closing is all that is left
        }
    }

    /** Wraps one record from {@code data} and sends it. Returns false if the socket did not take all of it. */
    private boolean wrapOnce(ByteBuffer data) throws SSLException {
        ByteBuffer net = loop.tlsNetBuffer(engine.getSession().getPacketBufferSize());
        while (true) {
            net.clear();
            SSLEngineResult result = engine.wrap(data, net);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                net = loop.tlsNetBuffer(TlsEngineSupport.grownCapacity(net, engine.getSession().getPacketBufferSize()));
                continue;
            }
            net.flip();
            boolean sent = records.send(net);
            if (result.getHandshakeStatus() == HandshakeStatus.FINISHED && handshaking) {
                handshakeFinished();
            }
            return sent && result.getStatus() != SSLEngineResult.Status.CLOSED;
        }
    }

    // ---- failure ---------------------------------------------------------------------------------

    /**
     * The client started a new handshake (TLS 1.2): refused, as the blocking servers refuse it.
     * Counted and logged by the server, close_notify sent (as far as the socket takes it now), and
     * the connection closed; the protocol sees {@code connectionLost} with the refusal.
     */
    private void refuseRenegotiation() {
        server.tlsPolicy().renegotiationRefused(connection.clientAddress());
        closeOutbound();
        connection.closeNow(TlsPolicy.refusal(), false);
    }

    private void failed(SSLException e) {
        if (handshaking) {
            handshakeFailed(e.getMessage(), true);
        } else {
            connection.closeNow(e, true);
        }
    }

    /** Counts and logs (at most once a second) a failed handshake, sends the alert the engine prepared (if it can), and closes. */
    private void handshakeFailed(String why, boolean sendAlert) {
        if (connection.isClosed()) {
            return;
        }
        handshaking = false;
        deadline.cancel();
        SocketAddress client = connection.clientAddress();
        server.tlsHandshakeFailed(() -> TlsEngineSupport.failureMessage(client, why));
        if (sendAlert) {
            closeOutbound();   // the client learns why
        }
        connection.closeNow(null, false);
    }
}
