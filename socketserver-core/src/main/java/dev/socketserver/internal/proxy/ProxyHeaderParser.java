package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyProtocolException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads one PROXY protocol header, v1 or v2, from the start of a connection or a datagram.
 *
 * <p><b>Nothing past the header.</b> {@link #read(InputStream)} never reads a byte beyond the end of
 * the header, so whatever follows (often in the same TCP segment) is still in the stream for the
 * handler. A v1 line is read one byte at a time up to its CRLF (so give it a buffered stream, such as
 * the connection's own input, to avoid a system call per byte); a v2 header is read as its 16-byte
 * fixed part and then exactly the length that part declares. The buffer entry points
 * {@link #parse(ByteBuffer)} and {@link #parse(byte[], int, int)} likewise report exactly how many
 * bytes the header took.
 *
 * <p><b>Bounded memory.</b> A v1 line is at most {@value #V1_MAX_LENGTH} bytes and the parser rejects
 * it after 106 bytes without a CR. A v2 header is at most {@value #V2_MAX_LENGTH} bytes (its length
 * field is a u16), or less if {@link #withMaxHeaderLength(int)} says so; a longer declaration is
 * rejected as soon as the fixed part arrives. What {@code read} holds grows with what the peer has
 * actually sent (about twice that, at most), not with what it declared, so a peer that declares
 * 65,535 bytes and sends 16 costs a few hundred bytes.
 *
 * <p><b>Early rejection.</b> Each entry point checks the bytes it has as far as they go, so a header
 * that cannot become valid is refused when the first wrong byte arrives, without waiting for more:
 * a wrong first byte, a signature that goes astray, an unknown version, command or family, a length
 * over the limit, a lone CR or LF.
 *
 * <p><b>No guessing.</b> The parser is used only where the configuration says a header must be
 * present, and only for peers in {@link TrustedNetworks}; it never decides whether a header is there
 * (spec section 5).
 *
 * <p><b>No deadline of its own.</b> {@code read} blocks until the header is complete; the caller bounds
 * it, for example with {@link java.net.Socket#setSoTimeout(int)}. The spec asks receivers to allow at
 * least 3 seconds.
 *
 * <p>Instances are immutable and thread-safe; one instance serves every connection of a listener.
 * Every problem with the bytes is a {@link ProxyProtocolException} with a
 * {@link ProxyProtocolException.Reason}; no other exception escapes for any input.
 */
public final class ProxyHeaderParser {
    /** The longest v1 line, CRLF included (spec section 2.1: "PROXY UNKNOWN" with two full IPv6 addresses). */
    public static final int V1_MAX_LENGTH = 107;
    /** The v2 fixed part: signature, version and command, family and transport, length. */
    public static final int V2_FIXED_LENGTH = 16;
    /** The longest v2 header: the fixed part plus a u16 length. */
    public static final int V2_MAX_LENGTH = V2_FIXED_LENGTH + 0xFFFF;
    /** The smallest allowed {@link #withMaxHeaderLength(int) limit}: the fixed part and two AF_UNIX addresses. */
    public static final int MIN_MAX_HEADER_LENGTH = V2_FIXED_LENGTH + V2Decoder.UNIX_BLOCK;

    private static final ProxyHeaderParser DEFAULT = new ProxyHeaderParser(true, true, V2_MAX_LENGTH);
    private static final int FIRST_V2_BUFFER = 512;

    private final boolean acceptV1;
    private final boolean acceptV2;
    private final int maxHeaderLength;

    private ProxyHeaderParser(boolean acceptV1, boolean acceptV2, int maxHeaderLength) {
        this.acceptV1 = acceptV1;
        this.acceptV2 = acceptV2;
        this.maxHeaderLength = maxHeaderLength;
    }

    /** A parser that accepts v1 and v2 headers up to the spec's maximum of {@value #V2_MAX_LENGTH} bytes. */
    public static ProxyHeaderParser create() {
        return DEFAULT;
    }

    /**
     * A copy that accepts only the versions given; a header of another version is refused with
     * {@link Reason#UNSUPPORTED_VERSION}.
     *
     * @throws IllegalArgumentException if neither version is accepted
     */
    public ProxyHeaderParser withVersions(boolean v1, boolean v2) {
        if (!v1 && !v2) {
            throw new IllegalArgumentException("accept at least one PROXY protocol version (v1, v2 or both)");
        }
        return new ProxyHeaderParser(v1, v2, maxHeaderLength);
    }

    /**
     * A copy that refuses v2 headers longer than {@code bytes}, fixed part included, with
     * {@link Reason#TOO_LONG} as soon as the fixed part declares it (nginx allows 4,096 bytes). It does
     * not affect v1, whose lines are never longer than {@value #V1_MAX_LENGTH}.
     *
     * @param bytes from {@value #MIN_MAX_HEADER_LENGTH} (room for AF_UNIX addresses) to {@value #V2_MAX_LENGTH}
     * @throws IllegalArgumentException if {@code bytes} is out of that range
     */
    public ProxyHeaderParser withMaxHeaderLength(int bytes) {
        if (bytes < MIN_MAX_HEADER_LENGTH || bytes > V2_MAX_LENGTH) {
            throw new IllegalArgumentException("the PROXY v2 header limit must be from " + MIN_MAX_HEADER_LENGTH + " to "
                    + V2_MAX_LENGTH + " bytes, got " + bytes);
        }
        return new ProxyHeaderParser(acceptV1, acceptV2, bytes);
    }

    /** Whether v1 (text) headers are accepted. */
    public boolean acceptsV1() {
        return acceptV1;
    }

    /** Whether v2 (binary) headers are accepted. */
    public boolean acceptsV2() {
        return acceptV2;
    }

    /** The longest v2 header accepted, in bytes, fixed part included. */
    public int maxHeaderLength() {
        return maxHeaderLength;
    }

    /** What a buffer entry point found: {@link NeedMore} or {@link Complete}. */
    public sealed interface Result permits NeedMore, Complete {
    }

    /**
     * The bytes so far are a valid beginning of a header but not all of it.
     *
     * @param bytes how many more bytes are needed at least, always 1 or more; reading exactly this many
     *              more can never go past the end of the header (for v1 it is always 1)
     */
    public record NeedMore(int bytes) implements Result {
    }

    /**
     * A whole, valid header.
     *
     * @param header   the header
     * @param consumed how many bytes it took from the start of the input; the rest is application data
     */
    public record Complete(ProxyHeader header, int consumed) implements Result {
    }

    /**
     * Reads one header from {@code in}, blocking, and leaves {@code in} positioned at the first byte after it.
     *
     * @throws ProxyProtocolException if the bytes are not a valid header ({@link Reason#TRUNCATED} if the
     *                                stream ends first); {@code in} is then somewhere inside the header
     * @throws IOException            as {@code in} throws it, for example {@link java.net.SocketTimeoutException}
     *                                when the caller's header deadline passes
     */
    public ProxyHeader read(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        byte[] buffer = new byte[V2_FIXED_LENGTH];
        int have = 0;
        while (true) {
            Result result = scan(ByteBuffer.wrap(buffer), 0, have);
            if (result instanceof Complete complete) {
                return complete.header();
            }
            int wanted = ((NeedMore) result).bytes();
            if (have + wanted > buffer.length) {
                // v1: the whole line fits in 107. v2: double, up to the declared total, never to it at once.
                buffer = Arrays.copyOf(buffer, buffer[0] == 'P' ? V1_MAX_LENGTH
                        : Math.min(have + wanted, Math.max(buffer.length * 2, FIRST_V2_BUFFER)));
            }
            int n = in.read(buffer, have, Math.min(wanted, buffer.length - have));
            if (n < 0) {
                throw ProxyProtocolException.endedAfter(have, "the stream ended after " + have
                        + " byte(s) of a PROXY header, at least " + wanted + " short");
            }
            have += n;
        }
    }

    /**
     * Looks for one header at {@code buffer}'s position, as an event loop does with what it has
     * received so far. On {@link Complete} the position moves past the header, to the application's
     * first byte; on {@link NeedMore} and on an exception the buffer is unchanged. The buffer's byte
     * order does not matter. Holding at most {@value #V2_MAX_LENGTH} bytes (or
     * {@link #maxHeaderLength()}) is always enough to reach a verdict.
     *
     * @throws ProxyProtocolException if the bytes so far cannot begin a valid header
     */
    public Result parse(ByteBuffer buffer) throws ProxyProtocolException {
        Result result = scan(buffer, buffer.position(), buffer.remaining());
        if (result instanceof Complete complete) {
            buffer.position(buffer.position() + complete.consumed());
        }
        return result;
    }

    /**
     * Looks for one header in {@code length} bytes at {@code offset}, without changing them.
     *
     * @throws ProxyProtocolException    if the bytes so far cannot begin a valid header
     * @throws IndexOutOfBoundsException if the range is not inside {@code bytes}
     */
    public Result parse(byte[] bytes, int offset, int length) throws ProxyProtocolException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        return scan(ByteBuffer.wrap(bytes), offset, length);
    }

    /**
     * Reads the header at the start of a datagram (PROXY over UDP): the whole header must be there.
     * On success the position moves past the header, to the payload.
     *
     * @throws ProxyProtocolException if there is no valid header, {@link Reason#TRUNCATED} if the
     *                                datagram ends inside it; the buffer is then unchanged
     */
    public ProxyHeader parseDatagram(ByteBuffer datagram) throws ProxyProtocolException {
        if (parse(datagram) instanceof Complete complete) {
            return complete.header();
        }
        throw new ProxyProtocolException(Reason.TRUNCATED,
                "the datagram ends after " + datagram.remaining() + " byte(s), inside its PROXY header");
    }

    private Result scan(ByteBuffer bytes, int start, int available) throws ProxyProtocolException {
        if (available == 0) {
            return new NeedMore(1);
        }
        int first = bytes.get(start) & 0xFF;
        if (first == V1Decoder.SIGNATURE[0]) {
            return V1Decoder.scan(bytes, start, available, acceptV1);
        }
        if (first == V2Decoder.SIGNATURE[0]) {
            return V2Decoder.scan(bytes, start, available, acceptV2, maxHeaderLength);
        }
        throw new ProxyProtocolException(Reason.NOT_PROXY_PROTOCOL,
                "expected a PROXY protocol header (\"PROXY \" or the v2 signature) but the connection starts with \""
                        + Escaping.bytes(bytes, start, available, 16) + "\"");
    }

    @Override
    public String toString() {
        return "ProxyHeaderParser[v1=" + acceptV1 + ", v2=" + acceptV2 + ", maxHeaderLength=" + maxHeaderLength + "]";
    }
}
