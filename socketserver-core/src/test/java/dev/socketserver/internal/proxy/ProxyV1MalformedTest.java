package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyProtocolException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.socketserver.internal.proxy.TestStreams.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Malformed v1 lines are refused with the right reason, by the stream and the buffer entry points
 * alike, without asking for a byte past the point where the line became hopeless.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyV1MalformedTest {
    private final ProxyHeaderParser parser = ProxyHeaderParser.create();

    static Stream<Arguments> malformedLines() {
        String full6 = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        return Stream.of(
                // not the protocol at all, or a near miss of its signature
                arguments("lower-case proxy", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", Reason.NOT_PROXY_PROTOCOL),
                arguments("an HTTP request", "GET / HTTP/1.1\r\n", Reason.NOT_PROXY_PROTOCOL),
                arguments("BOGUS instead of PROXY", "BOGUS TCP4 1.2.3.4 5.6.7.8 1 2\r\n", Reason.NOT_PROXY_PROTOCOL),
                arguments("PROXX", "PROXX TCP4 1.2.3.4 5.6.7.8 1 2\r\n", Reason.BAD_SIGNATURE),
                arguments("no space after PROXY", "PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n", Reason.BAD_SIGNATURE),
                // line endings
                arguments("LF without CR", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", Reason.MALFORMED_LINE),
                arguments("bare CR", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", Reason.MALFORMED_LINE),
                arguments("LF CR", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n\r", Reason.MALFORMED_LINE),
                // fields
                arguments("a missing field", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", Reason.MALFORMED_LINE),
                arguments("a seventh field", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", Reason.MALFORMED_LINE),
                arguments("two spaces between addresses", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", Reason.MALFORMED_LINE),
                arguments("two spaces after PROXY", "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", Reason.MALFORMED_LINE),
                arguments("a space before CRLF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", Reason.MALFORMED_LINE),
                arguments("a tab between fields", "PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n", Reason.MALFORMED_LINE),
                arguments("nothing after PROXY", "PROXY \r\n", Reason.MALFORMED_LINE),
                // protocol
                arguments("TCP5", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", Reason.BAD_FAMILY),
                arguments("lower-case tcp4", "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", Reason.BAD_FAMILY),
                arguments("UDP4", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", Reason.BAD_FAMILY),
                arguments("UNKNOWNX", "PROXY UNKNOWNX\r\n", Reason.BAD_FAMILY),
                // addresses
                arguments("an octet of 256", "PROXY TCP4 256.0.0.1 5.6.7.8 1 2\r\n", Reason.MALFORMED_ADDRESS),
                arguments("three octets", "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", Reason.MALFORMED_ADDRESS),
                arguments("a leading zero", "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n", Reason.MALFORMED_ADDRESS),
                arguments("a NUL in an address", "PROXY TCP4 1.2.3.4\u0000 5.6.7.8 1 2\r\n", Reason.MALFORMED_ADDRESS),
                arguments("a host name", "PROXY TCP4 localhost 5.6.7.8 1 2\r\n", Reason.MALFORMED_ADDRESS),
                arguments("IPv6 under TCP4", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n", Reason.MALFORMED_ADDRESS),
                arguments("IPv4 under TCP6", "PROXY TCP6 1.2.3.4 ::1 1 2\r\n", Reason.MALFORMED_ADDRESS),
                arguments("two double colons", "PROXY TCP6 1::2::3 ::1 1 2\r\n", Reason.MALFORMED_ADDRESS),
                arguments("a five-digit group", "PROXY TCP6 12345::1 ::1 1 2\r\n", Reason.MALFORMED_ADDRESS),
                arguments("brackets", "PROXY TCP6 [::1] ::1 1 2\r\n", Reason.MALFORMED_ADDRESS),
                arguments("a zone id", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", Reason.MALFORMED_ADDRESS),
                arguments("nine groups", "PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", Reason.MALFORMED_ADDRESS),
                // ports
                arguments("port 65536", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", Reason.BAD_PORT),
                arguments("a leading zero in a port", "PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n", Reason.BAD_PORT),
                arguments("a negative port", "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", Reason.BAD_PORT),
                arguments("a signed port", "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", Reason.BAD_PORT),
                arguments("a hex port", "PROXY TCP4 1.2.3.4 5.6.7.8 1 0x50\r\n", Reason.BAD_PORT),
                arguments("a huge port", "PROXY TCP4 1.2.3.4 5.6.7.8 1 99999999999\r\n", Reason.BAD_PORT),
                // length
                arguments("108 bytes with the CRLF", "PROXY UNKNOWN " + full6 + " " + full6 + " 65535 655350\r\n", Reason.TOO_LONG));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedLines")
    void isRefusedWithItsReason(String description, String line, Reason reason) {
        byte[] bytes = ascii(line);

        var fromStream = catchThrowableOfType(ProxyProtocolException.class, () -> parser.read(new TestStreams.Bounded(bytes)));
        var fromBuffer = catchThrowableOfType(ProxyProtocolException.class, () -> parser.parse(bytes, 0, bytes.length));

        assertThat(fromStream).as("from a stream").isNotNull();
        assertThat(fromStream.reason()).as(fromStream.getMessage()).isEqualTo(reason);
        assertThat(fromBuffer).as("from a buffer").isNotNull();
        assertThat(fromBuffer.reason()).isEqualTo(reason);
        assertThat(fromStream.getMessage()).isNotBlank().doesNotContain("\r", "\n", "\u0000", "\t");
    }

    @Test
    void aLineWithoutCrlfIsRefusedAfter106BytesWithoutWaitingForMore() {
        // Bounded fails the test if the parser asks for byte 107: the verdict must come without it.
        byte[] bytes = ascii("PROXY " + "A".repeat(100));
        assertThat(bytes).hasSize(106);
        var in = new TestStreams.Bounded(bytes);

        var e = catchThrowableOfType(ProxyProtocolException.class, () -> parser.read(in));

        assertThat(e.reason()).isEqualTo(Reason.TOO_LONG);
        assertThat(in.position()).isEqualTo(106);
        assertThat(e.getMessage()).contains("107");
    }

    @Test
    void aCrAtTheLastAllowedPositionWithoutRoomForLfIsTooLong() {
        // A CR as byte 107 would need the LF as byte 108.
        byte[] bytes = ascii("PROXY UNKNOWN " + "x".repeat(92) + "\r");
        assertThat(bytes).hasSize(107);

        var e = catchThrowableOfType(ProxyProtocolException.class, () -> parser.read(new TestStreams.Bounded(bytes)));

        assertThat(e.reason()).isEqualTo(Reason.TOO_LONG);
    }

    @Test
    void aLoneLfIsRefusedAsSoonAsItArrives() {
        byte[] bytes = ascii("PROXY TCP4 1.2.3.4\n");
        var in = new TestStreams.Bounded(bytes);

        var e = catchThrowableOfType(ProxyProtocolException.class, () -> parser.read(in));

        assertThat(e.reason()).isEqualTo(Reason.MALFORMED_LINE);
        assertThat(in.position()).isEqualTo(bytes.length);
    }

    @Test
    void aWrongFirstByteIsRefusedAfterThatByteAlone() {
        var in = new TestStreams.Bounded(new byte[] {0x16});

        var e = catchThrowableOfType(ProxyProtocolException.class, () -> parser.read(in));

        assertThat(e.reason()).isEqualTo(Reason.NOT_PROXY_PROTOCOL);
        assertThat(e.getMessage()).contains("\\x16");
        assertThat(e.getStackTrace()).as("a refusal is about the peer's bytes; it records no stack").isEmpty();
    }

    @Test
    void controlBytesFromThePeerAreEscapedInTheMessage() {
        byte[] bytes = ascii("PROXY TCP4 1.2.3.4\u001b[31m 5.6.7.8 1 2\r\n");

        var e = catchThrowableOfType(ProxyProtocolException.class, () -> parser.parse(bytes, 0, bytes.length));

        assertThat(e.reason()).isEqualTo(Reason.MALFORMED_ADDRESS);
        assertThat(e.getMessage()).contains("1.2.3.4\\x1b[31m").doesNotContain("\u001b");
    }
}
