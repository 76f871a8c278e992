package dev.socketserver.internal.proxy;

import java.io.IOException;
import java.util.Objects;

/**
 * The bytes at the start of a connection are not a valid PROXY protocol header, or the stream ended
 * before the header did. The connection must be closed without running the handler.
 *
 * <p>{@link #reason()} is a small, fixed set for counters and rate-limited logs; the message says in
 * words what was wrong. Messages quote at most a few dozen bytes of what the peer sent, with control
 * and non-ASCII bytes escaped as {@code \xNN}, so they are safe to log.
 *
 * <p>It carries no stack trace: it describes the peer's bytes, not a fault in the program, the stack
 * would always be the parser's own few frames, and a flood of bad headers should cost no more than
 * parsing them.
 *
 * <p>Other {@link IOException}s from the underlying stream, such as a
 * {@link java.net.SocketTimeoutException} when the header deadline passes, are not wrapped: they
 * reach the caller as they are.
 */
public final class ProxyProtocolException extends IOException {
    /** Why a header was refused. Each names one kind of mistake, for counting. */
    public enum Reason {
        /** The first byte starts neither "PROXY " nor the v2 signature: the peer speaks something else (HTTP, TLS, ...). */
        NOT_PROXY_PROTOCOL,
        /** The first byte matched, but the rest of "PROXY " or of the 12-byte v2 signature did not. */
        BAD_SIGNATURE,
        /** A v2 version nibble other than 2, or a version this parser was configured not to accept. */
        UNSUPPORTED_VERSION,
        /** A v2 command other than LOCAL (0) or PROXY (1). */
        BAD_COMMAND,
        /** An address family or transport the spec does not define: v1 other than TCP4, TCP6, UNKNOWN; v2 nibbles above 3 or 2. */
        BAD_FAMILY,
        /** A v1 line that breaks the grammar: a lone CR or LF, a missing or extra field, two spaces in a row. */
        MALFORMED_LINE,
        /** The stream or datagram ended before the header was complete. */
        TRUNCATED,
        /** A v1 line with no CRLF within 107 bytes, or a v2 header longer than the configured maximum. */
        TOO_LONG,
        /** An address that is not a valid literal of its family, or a v2 length too short for the family's addresses. */
        MALFORMED_ADDRESS,
        /** A v1 port that is not a decimal number from 0 to 65535 without leading zeros. */
        BAD_PORT,
        /** A v2 TLV that runs past the header, is too short or too long for its type, or repeats a type that may appear once. */
        BAD_TLV,
        /** A v2 CRC32C TLV that does not match the header. */
        BAD_CHECKSUM
    }

    private final Reason reason;
    private final boolean nothingReceived;

    /**
     * @param reason  the kind of mistake
     * @param message what was wrong, in words, quoting peer bytes only in escaped form
     */
    public ProxyProtocolException(Reason reason, String message) {
        this(reason, message, false);
    }

    private ProxyProtocolException(Reason reason, String message, boolean nothingReceived) {
        super(Objects.requireNonNull(message, "message"));
        this.reason = Objects.requireNonNull(reason, "reason");
        this.nothingReceived = nothingReceived;
    }

    /**
     * The stream ended after {@code received} bytes, before its header was complete:
     * {@link Reason#TRUNCATED}, and {@link #nothingReceived()} when there were none.
     */
    public static ProxyProtocolException endedAfter(int received, String message) {
        return new ProxyProtocolException(Reason.TRUNCATED, message, received == 0);
    }

    /**
     * Whether the peer closed without sending a byte: a TCP health check (a Kubernetes
     * {@code tcpSocket} probe, a load balancer's connect check) rather than a bad header.
     */
    public boolean nothingReceived() {
        return nothingReceived;
    }

    /** The kind of mistake, for counters such as {@code proxyHeaderRejected{reason}}. */
    public Reason reason() {
        return reason;
    }

    /** Records no stack trace (see the class comment). */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
