package dev.socketserver;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * One accepted stream connection (TCP or Unix stream), as a handler sees it.
 *
 * <p>Compared with a raw {@link java.net.Socket}: the input is already buffered and can read lines,
 * every write is complete (there are no partial writes and no flush is needed), and closing either
 * stream does not close the connection. The server owns the connection: when the request ends it
 * shuts down the output (the peer sees EOF) and closes it, so a handler normally never calls
 * {@link #close()}.
 *
 * <p>Reading and writing may happen in two different threads at once. Two threads reading, or two
 * threads writing, must coordinate themselves. This interface is implemented by the library and is
 * not meant to be implemented by users.
 */
public interface Connection extends Closeable {

    /**
     * The connection's input, buffered. Returns the same stream on every call. Its {@code close()}
     * does not close the connection.
     */
    InputStream in();

    /**
     * The connection's output, unbuffered: each {@code write} has handed all of its bytes to the
     * kernel when it returns. Returns the same stream on every call. Its {@code close()} does not
     * close the connection; use {@link #shutdownOutput()} to send EOF early.
     */
    OutputStream out();

    /**
     * Reads one line from {@link #in()}: the bytes up to {@code \n}, decoded as UTF-8, without the
     * {@code \n} or a {@code \r} before it.
     *
     * @return the line, or {@code null} at end of stream with no bytes pending
     * @throws IOException if reading fails, or the line is longer than 65,536 bytes (the
     *     limit keeps one client from filling memory)
     */
    String readLine() throws IOException;

    /** The peer's address: an {@link java.net.InetSocketAddress}, or a Unix-domain address whose path is empty for an unbound peer. */
    SocketAddress clientAddress();

    /** The local address the connection was accepted on. */
    SocketAddress localAddress();

    /**
     * Sets the read timeout: a single blocking read that waits longer than this throws
     * {@link java.net.SocketTimeoutException}. This is a timeout per read, not a deadline for the
     * request. {@code null} or zero means none, the default.
     *
     * <p>On TCP a timed-out read may be retried. On a Unix stream the JDK offers no timed read, so
     * a timeout closes the connection's input and the connection cannot be read again.
     */
    void setReadTimeout(Duration timeout);

    /** The read timeout, or {@link Duration#ZERO} when there is none. */
    Duration readTimeout();

    /**
     * Turns Nagle's algorithm off ({@code TCP_NODELAY}) or on. The servers turn it off on every TCP
     * connection they accept, so that replies go out at once. Ignored on Unix streams.
     */
    void setNoDelay(boolean on) throws IOException;

    /** Sends EOF to the peer while the input stays readable (a half-close). */
    void shutdownOutput() throws IOException;

    /**
     * The TLS session, on a server with TLS: the negotiated protocol and cipher suite, and the
     * client's certificates under mutual TLS. It is an {@link javax.net.ssl.ExtendedSSLSession},
     * whose {@code getRequestedServerNames()} gives the SNI name the client asked for. Empty on a
     * plain connection.
     */
    default Optional<SSLSession> tlsSession() {
        return Optional.empty();
    }

    /**
     * The application protocol chosen by ALPN, on a TLS server with
     * {@link TlsOptions#withApplicationProtocols}, such as {@code "h2"}; empty when none was
     * negotiated.
     */
    default Optional<String> tlsApplicationProtocol() {
        return Optional.empty();
    }

    /**
     * What the load balancer's PROXY protocol header said, on a server with PROXY protocol on
     * ({@link ServerOptions.Builder#proxyProtocol}); empty otherwise. {@link #clientAddress()} is then
     * the real client already.
     */
    default Optional<ProxyInfo> proxyInfo() {
        return Optional.empty();
    }

    /** Whether the connection is still open. */
    boolean isOpen();

    /** Closes the connection at once; a read or write blocked in another thread fails. Idempotent. */
    @Override
    void close();
}
