package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyHeaderParser.Complete;
import dev.socketserver.internal.proxy.ProxyHeaderParser.NeedMore;
import dev.socketserver.internal.proxy.ProxyHeaderParser.Result;
import dev.socketserver.internal.proxy.ProxyProtocolException.Reason;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * What must hold for any input at all, checked through all four entry points at once. It throws
 * {@link AssertionError} (with the input in hex) when a rule is broken, including when the parser
 * throws anything but {@link ProxyProtocolException}.
 *
 * <ul>
 *   <li>The buffer, array, datagram and stream entry points agree: the same header, or the same reason.
 *   <li>A complete header is consumed exactly: the stream has handed out exactly {@code consumed} bytes,
 *       the buffer's position moved by exactly that, and {@code consumed} is what the header's own
 *       framing says (up to the CRLF for v1, 16 plus the length field for v2).
 *   <li>An incomplete header asks for at least one byte and never for one past its own end; from a
 *       stream it is TRUNCATED after every byte was read.
 *   <li>A refused header is refused by the stream after it has read no further than a header could
 *       reach, and the bytes it had read are enough for the same verdict.
 *   <li>Messages carry no raw control bytes.
 * </ul>
 */
final class FuzzOracle {
    private final ProxyHeaderParser parser;

    FuzzOracle(ProxyHeaderParser parser) {
        this.parser = parser;
    }

    /**
     * Checks every rule for {@code input}, reading the stream {@code chunk} bytes at most per read, and
     * says what the outcome was, for coverage statistics: {@code "v1 header"}, {@code "v2 header with TLVs"},
     * {@code "incomplete"}, or the refusal's reason.
     */
    String check(byte[] input, int chunk) {
        try {
            return checkOrThrow(input, chunk);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n  input (" + input.length + " bytes): " + HexFormat.of().formatHex(input), e);
        } catch (RuntimeException | IOException | StackOverflowError | OutOfMemoryError e) {
            throw new AssertionError("the parser threw " + e + "\n  input (" + input.length + " bytes): "
                    + HexFormat.of().formatHex(input), e);
        }
    }

    private String checkOrThrow(byte[] input, int chunk) throws IOException {
        Result result = null;
        ProxyProtocolException refusal = null;
        try {
            result = parser.parse(input, 0, input.length);
        } catch (ProxyProtocolException e) {
            refusal = e;
        }
        checkDatagram(input, result, refusal);
        var stream = new TestStreams.Recording(input, chunk);
        switch (result) {
            case Complete complete -> {
                checkComplete(input, complete, stream);
                ProxyHeader header = complete.header();
                return "v" + header.version() + " " + header.command() + (header.tlvs().isEmpty() ? "" : " with TLVs");
            }
            case NeedMore needMore -> {
                checkIncomplete(input, needMore, stream);
                return "incomplete";
            }
            case null -> {
                checkRefused(input, refusal, stream);
                return refusal.reason().name();
            }
        }
    }

    private void checkComplete(byte[] input, Complete complete, TestStreams.Recording stream) throws IOException {
        int consumed = complete.consumed();
        ProxyHeader header = complete.header();
        require(consumed > 0 && consumed <= input.length, "consumed " + consumed + " of " + input.length);
        require(consumed == framedLength(input), "consumed " + consumed + " but the header's framing says " + framedLength(input));
        require(header.version() == (input[0] == 'P' ? 1 : 2), "version " + header.version());
        checkHeaderShape(header);

        var alone = parser.parse(Arrays.copyOf(input, consumed), 0, consumed);
        require(complete.equals(alone), "the header alone parses differently: " + alone);

        ByteBuffer direct = ByteBuffer.allocateDirect(input.length).put(input).flip();
        require(complete.equals(parser.parse(direct)) && direct.position() == consumed, "a direct buffer disagrees");

        ProxyHeader fromStream = parser.read(stream);
        require(header.equals(fromStream), "the stream read " + fromStream + " but the buffer " + header);
        require(stream.delivered() == consumed, "the stream read " + stream.delivered() + " bytes for a " + consumed + "-byte header");
    }

    private void checkIncomplete(byte[] input, NeedMore needMore, TestStreams.Recording stream) {
        require(needMore.bytes() >= 1, "asks for " + needMore.bytes() + " bytes");
        int end = framedLength(input);
        if (end > 0) {
            require(input.length + needMore.bytes() <= end, "asks for " + needMore.bytes() + " more bytes after " + input.length
                    + ", past the header's end at " + end);
        }
        try {
            ProxyHeader header = parser.read(stream);
            throw new AssertionError("the stream read a header from an incomplete input: " + header);
        } catch (ProxyProtocolException e) {
            require(e.reason() == Reason.TRUNCATED, "an incomplete input from a stream is " + e.reason() + ", not TRUNCATED");
            require(stream.delivered() == input.length, "read " + stream.delivered() + " of " + input.length + " before EOF");
            checkMessage(e);
        } catch (IOException e) {
            throw new AssertionError("the stream threw " + e, e);
        }
    }

    private void checkRefused(byte[] input, ProxyProtocolException refusal, TestStreams.Recording stream) {
        checkMessage(refusal);
        try {
            ProxyHeader header = parser.read(stream);
            throw new AssertionError("the stream accepted " + header + " but the buffer refused: " + refusal.getMessage());
        } catch (ProxyProtocolException e) {
            require(e.reason() == refusal.reason(), "the stream says " + e.reason() + " (" + e.getMessage() + "), the buffer "
                    + refusal.reason() + " (" + refusal.getMessage() + ")");
            int read = stream.delivered();
            int end = framedLength(Arrays.copyOf(input, read));
            int reach = input[0] == 'P' ? ProxyHeaderParser.V1_MAX_LENGTH : Math.max(ProxyHeaderParser.V2_FIXED_LENGTH, end);
            require(read <= reach, "read " + read + " bytes, past where any header could end (" + reach + ")");
            try {
                parser.parse(input, 0, read);
                throw new AssertionError("the " + read + " bytes the stream read are not enough to refuse");
            } catch (ProxyProtocolException again) {
                require(again.reason() == refusal.reason(), "the stream's " + read + " bytes give " + again.reason());
            }
            checkMessage(e);
        } catch (IOException e) {
            throw new AssertionError("the stream threw " + e, e);
        }
    }

    private void checkDatagram(byte[] input, Result result, ProxyProtocolException refusal) {
        ByteBuffer datagram = ByteBuffer.wrap(input);
        try {
            ProxyHeader header = parser.parseDatagram(datagram);
            require(result instanceof Complete c && c.header().equals(header) && datagram.position() == c.consumed(),
                    "the datagram entry point accepted what the buffer entry point did not");
        } catch (ProxyProtocolException e) {
            Reason expected = refusal != null ? refusal.reason() : Reason.TRUNCATED;
            require(!(result instanceof Complete) && e.reason() == expected && datagram.position() == 0,
                    "the datagram entry point says " + e.reason() + ", expected " + expected);
        }
    }

    private static void checkHeaderShape(ProxyHeader header) {
        if (header.hasAddresses()) {
            require(header.source().getClass() == header.destination().getClass(), "mixed address types");
            if (header.source() instanceof InetSocketAddress source) {
                require(!source.isUnresolved() && source.getAddress().getAddress().length
                        == (header.family() == ProxyHeader.Family.INET ? 4 : 16), "address width for " + header.family());
            } else {
                require(header.source() instanceof ProxyUnixAddress && header.family() == ProxyHeader.Family.UNIX,
                        "unix address for " + header.family());
            }
        }
        header.ssl().ifPresent(ssl -> require(ssl.verify() >= 0, "verify"));
        header.uniqueId().ifPresent(id -> require(id.length <= ProxyTlv.UNIQUE_ID_MAX_LENGTH, "unique id length"));
        require(header.equals(header) && !header.toString().isEmpty(), "toString and equals");
    }

    private static void checkMessage(ProxyProtocolException e) {
        String message = e.getMessage();
        require(message != null && !message.isBlank(), "no message for " + e.reason());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            require(c >= 0x20 && c != 0x7F, "the message holds a raw control character " + (int) c + ": " + message);
        }
    }

    /**
     * Where a header beginning with {@code bytes} must end by its own framing: after the first CRLF for
     * v1, at 16 plus the length field for v2; 0 if the bytes do not say yet.
     */
    private static int framedLength(byte[] bytes) {
        if (bytes.length > 0 && bytes[0] == 'P') {
            for (int i = 0; i + 1 < bytes.length; i++) {
                if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                    return i + 2;
                }
            }
            return 0;
        }
        return bytes.length >= 16 ? 16 + ((bytes[14] & 0xFF) << 8 | (bytes[15] & 0xFF)) : 0;
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }
}
