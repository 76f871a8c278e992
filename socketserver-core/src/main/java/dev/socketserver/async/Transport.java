package dev.socketserver.async;

import dev.socketserver.ProxyInfo;

import javax.net.ssl.SSLSession;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One stream connection as a {@link Protocol} drives it: asyncio's {@code Transport}. Implemented
 * by the library. On a TLS server it carries plaintext: bytes written are encrypted, and the
 * write buffer and its water marks count them before encryption.
 *
 * <p>{@link #write} and {@link #close} are safe from any thread: called off the connection's loop,
 * they are handed to it, in order. The other methods are meant for the loop thread (inside
 * callbacks), and handed over the same way when called elsewhere.
 *
 * <p>Writes that the socket cannot take at once are buffered. Above the high water mark (64 KiB by
 * default) the protocol gets {@link Protocol#pauseWriting()} and the connection is no longer read
 * (backpressure: its peer is slowed by TCP until it reads its replies); at the low mark (16 KiB)
 * the protocol gets {@link Protocol#resumeWriting()} and reading resumes. So a peer that sends and
 * never reads costs the server the high-water mark, not what it sends, even under a protocol that
 * ignores {@code pauseWriting}. A protocol that must keep reading meanwhile (to forward data
 * elsewhere, say) turns that off with {@link #setBackpressure(boolean) setBackpressure(false)};
 * then, if it keeps writing while paused, the connection is aborted once its buffer passes the
 * server's write-buffer limit (4 MiB by default).
 */
public interface Transport {

    /** Queues the remaining bytes of {@code data} (it is copied if it cannot be written at once). */
    void write(ByteBuffer data);

    /** Queues {@code data}. */
    void write(byte[] data);

    /** Closes after the buffered writes are flushed; further reads are ignored. Idempotent. */
    void close();

    /** Closes at once, dropping buffered writes. Idempotent. */
    void abort();

    /** Sends EOF once the buffered writes are flushed, keeping the input open (a half-close). */
    void shutdownOutput();

    /** Stops {@code dataReceived} until {@link #resumeReading()}; the peer is slowed by TCP flow control. */
    void pauseReading();

    /** Resumes {@code dataReceived}. */
    void resumeReading();

    /**
     * Whether reading stops while the write buffer is above the high-water mark (it is by default):
     * {@code false} keeps {@code dataReceived} coming while the peer is slow to read, for a
     * protocol that forwards data elsewhere or bounds its writes itself. Either way the protocol
     * is told {@code pauseWriting} and {@code resumeWriting}, and {@link #pauseReading()} is its own.
     */
    void setBackpressure(boolean on);

    /** Bytes written but not yet taken by the socket. */
    long writeBufferSize();

    /** Whether {@link #close()} or {@link #abort()} was called, or the connection is closed. */
    boolean isClosing();

    /**
     * The client's address: the peer's, or on a server with the PROXY protocol on
     * ({@link dev.socketserver.ServerOptions.Builder#proxyProtocol}) the real client that the load balancer's header named.
     */
    SocketAddress clientAddress();

    /** The local address. */
    SocketAddress localAddress();

    /** The event loop this connection lives on, for timers and tasks that must run on it. */
    EventLoop loop();

    /**
     * What the load balancer's PROXY protocol header said, on a server with the PROXY protocol on
     * ({@link dev.socketserver.ServerOptions.Builder#proxyProtocol}); empty otherwise. {@link #clientAddress()} is then
     * the real client already. Safe from any thread once {@code connectionMade} has run.
     */
    default Optional<ProxyInfo> proxyInfo() {
        return Optional.empty();
    }

    /**
     * The TLS session, on a server with TLS ({@link dev.socketserver.ServerOptions.Builder#tls}): the negotiated
     * protocol and cipher suite, and the client's certificates under mutual TLS. It is an
     * {@link javax.net.ssl.ExtendedSSLSession}, whose {@code getRequestedServerNames()} gives the
     * SNI name the client asked for. Empty on a plain connection. Safe from any thread once
     * {@code connectionMade} has run (which, with TLS, is after the handshake).
     */
    default Optional<SSLSession> tlsSession() {
        return Optional.empty();
    }

    /**
     * The application protocol negotiated with ALPN, such as {@code h2}: one of those given to
     * {@link dev.socketserver.TlsOptions#withApplicationProtocols TlsOptions.withApplicationProtocols} that the client offered too. Empty on a plain
     * connection, or when the two had none in common or the client offered none.
     */
    default Optional<String> tlsApplicationProtocol() {
        return Optional.empty();
    }
}
