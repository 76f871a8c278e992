package dev.socketserver.internal;

import dev.socketserver.Connection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Connection} that speaks TLS over another connection's bytes, through an
 * {@link SSLEngine}. It works the same over TCP and Unix streams, and in any thread, since it only
 * reads and writes the plain connection's streams.
 *
 * <p>One thread may read while another writes: the engine underneath, a {@link BlockingTlsEngine},
 * unwraps under a read lock and wraps under a write lock, so records never interleave.
 */
public final class TlsConnection implements Connection {
    private final Connection plain;
    private final BlockingTlsEngine tls;
    private final SocketInput in;
    private final OutputStream out = new TlsOutput();

    private TlsConnection(Connection plain, SSLEngine engine, TlsPolicy policy) {
        this.plain = plain;
        this.tls = new BlockingTlsEngine(plain, engine, policy);
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
        TlsConnection connection = new TlsConnection(plain, engine, Objects.requireNonNull(policy, "policy"));
        try {
            connection.tls.handshake(deadline);
        } catch (SSLException e) {
            connection.closeOutbound();   // sends the alert the engine prepared, so the client learns why
            throw e;
        }
        return connection;
    }

    /** Runs the client side of a handshake over {@code plain}: for tests and tools that talk TLS over a Unix stream. */
    public static TlsConnection connect(Connection plain, SSLContext context, String host, Duration deadline) throws IOException {
        TlsConnection connection = new TlsConnection(plain, TlsPolicy.clientEngine(context, host), null);
        connection.tls.handshake(deadline);
        return connection;
    }

    /**
     * Whether this connection ended because the client asked for a renegotiation, which was
     * refused (and already counted and logged): what the handler then throws is expected.
     */
    public boolean renegotiationRefused() {
        return tls.renegotiationRefused();
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
            return tls.read(b, off, len);
        }

        @Override
        public int available() {
            return tls.available();
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
            if (tls.isOutboundDone()) {
                throw new EOFException("TLS output is closed");
            }
            tls.write(b, off, len);
        }

        /** Does not close the connection. */
        @Override
        public void close() {
        }
    }

    /** The negotiated session: protocol, cipher suite, peer certificates; an {@code ExtendedSSLSession} also gives the SNI names. */
    @Override
    public Optional<SSLSession> tlsSession() {
        return Optional.of(tls.session());
    }

    @Override
    public Optional<String> tlsApplicationProtocol() {
        return Optional.ofNullable(tls.applicationProtocol());
    }

    /** Sends close_notify, so the client knows the data is complete. Quiet if the peer is gone. */
    public void closeOutbound() {
        tls.closeOutbound();
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
    public void onDrain(Runnable action) {
        plain.onDrain(action);
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
