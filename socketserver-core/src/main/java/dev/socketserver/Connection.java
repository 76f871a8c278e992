package dev.socketserver;

import dev.socketserver.internal.framing.FrameReads;

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
 * <p>Compared with a raw {@link java.net.Socket}: the input is already buffered and can read frames
 * (lines, delimited records, exact counts, length-prefixed frames), each with a limit,
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
     * Reads one line, of at most 65,536 bytes: {@code readLine(65_536)}.
     *
     * @return the line, or {@code null} at end of stream with no bytes pending
     * @throws FrameTooLongException if the line is longer than 65,536 bytes
     * @throws IOException if reading fails
     */
    default String readLine() throws IOException {
        return readLine(65_536);
    }

    /**
     * Reads one line from {@link #in()}: the bytes up to {@code \n}, decoded as UTF-8, without the
     * {@code \n} or a {@code \r} before it. A last line that ends at end of stream without a
     * {@code \n} is returned as it is (without a trailing {@code \r}).
     *
     * <p>This and the other framing reads ({@link #readExactly}, {@link #readUntil}, {@link #readFrame})
     * read from the same buffer as {@link #in()} and never past the end of their frame, so they mix
     * freely with each other and with reads of {@code in()}.
     *
     * @param maxLength the longest line accepted, in bytes, without its terminator: the limit that
     *     keeps one client from filling memory
     * @return the line, or {@code null} at end of stream with no bytes pending
     * @throws FrameTooLongException if the line is longer than {@code maxLength}; it is detected within
     *     a few bytes past the limit, and the connection is then inside the line (end it)
     * @throws IOException if reading fails
     * @throws IllegalArgumentException if {@code maxLength} is less than 1
     */
    default String readLine(int maxLength) throws IOException {
        return FrameReads.readLine(in(), maxLength);
    }

    /**
     * Reads exactly {@code n} bytes from {@link #in()}: a field of known size, or the body after a
     * header. The array is allocated at once, so {@code n} must be a size the caller trusts (check a
     * size that the peer sent, or use {@link #readFrame}).
     *
     * @throws java.io.EOFException if the stream ends first; its message says how many bytes were read
     * @throws IOException if reading fails
     * @throws IllegalArgumentException if {@code n} is negative
     */
    default byte[] readExactly(int n) throws IOException {
        return FrameReads.readExactly(in(), n);
    }

    /**
     * Reads up to {@code delimiter} (any sequence of one or more bytes) from {@link #in()} and returns
     * the bytes before it; the delimiter is consumed and not returned.
     *
     * @param maxLength the most bytes accepted before the delimiter
     * @return the bytes before the delimiter, or {@code null} at end of stream with no bytes pending
     * @throws FrameTooLongException if {@code maxLength} bytes pass without the delimiter; the
     *     connection is then inside the frame (end it)
     * @throws java.io.EOFException if the stream ends after some bytes but before the delimiter
     * @throws IOException if reading fails
     * @throws IllegalArgumentException if the delimiter is empty or {@code maxLength} is less than 1
     */
    default byte[] readUntil(byte[] delimiter, int maxLength) throws IOException {
        return FrameReads.readUntil(in(), delimiter, maxLength);
    }

    /**
     * Reads one length-prefixed frame from {@link #in()}, as {@code field} says where its length
     * is and how large it may be, and returns it without its first {@link LengthField#strip()}
     * bytes. The header is read first and the length checked, then the frame is read into an array
     * of its size: a frame over the limit is never read into memory.
     *
     * @return the frame, or {@code null} at end of stream before its first byte
     * @throws FrameTooLongException if the frame is longer than {@link LengthField#maxFrameLength()};
     *     the connection is then inside the frame (end it)
     * @throws java.net.ProtocolException if the length field gives a frame shorter than its header or
     *     than the bytes to strip
     * @throws java.io.EOFException if the stream ends inside the frame
     * @throws IOException if reading fails
     */
    default byte[] readFrame(LengthField field) throws IOException {
        return FrameReads.readFrame(in(), field);
    }

    /** The peer's address: an {@link java.net.InetSocketAddress}, or a Unix-domain address whose path is empty for an unbound peer. */
    SocketAddress clientAddress();

    /** The local address the connection was accepted on. */
    SocketAddress localAddress();

    /**
     * Sets the read timeout: a single blocking read that waits longer than this throws
     * {@link java.net.SocketTimeoutException}. This is a timeout per read, not a deadline for the
     * request. {@code null} or zero means none, the default.
     *
     * <p>On TCP a timed-out read may be retried. So may one on a Unix stream whose handler runs on
     * a virtual thread and waits through the library's poller (Linux, with native access; see the
     * README). Otherwise the JDK offers no timed read on a Unix stream, so there a timeout closes
     * the connection's input and the connection cannot be read again.
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

    /**
     * Runs {@code action} once when the server begins to drain ({@link Server#shutdown}): it no
     * longer accepts, and will end this connection at its next quiet point (the handler's read
     * then returns end of stream) or cut it at the drain's deadline. A long-lived handler (a
     * chat, a subscription, a tunnel) can say goodbye here instead of polling
     * {@link Server#isDraining()}, as Vert.x's {@code shutdownHandler}.
     *
     * <p>The action runs in the draining thread, while the handler may be blocked in a read: keep
     * it short; it may write to {@link #out()} (a goodbye line) if the handler is not writing at
     * the same moment, and it may {@link #close()} the connection, which ends the handler's read.
     * If the drain has begun already, it runs at once in the calling thread. A later call
     * replaces an action not yet run. An exception it throws is logged.
     *
     * <p>Connections of a drained server only: a connection handed to a child process, and any
     * other that no drain ends, never run it.
     */
    default void onDrain(Runnable action) {
        java.util.Objects.requireNonNull(action, "action");
    }

    /** Closes the connection at once; a read or write blocked in another thread fails. Idempotent. */
    @Override
    void close();
}
