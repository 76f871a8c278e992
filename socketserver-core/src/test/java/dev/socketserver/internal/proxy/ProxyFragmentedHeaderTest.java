package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyHeaderParser.Complete;
import dev.socketserver.internal.proxy.ProxyHeaderParser.NeedMore;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static dev.socketserver.internal.proxy.TestStreams.ascii;
import static dev.socketserver.internal.proxy.TestStreams.concat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A header that arrives a byte at a time, or in random small pieces, parses to the same result as one
 * that arrives whole (Envoy's Fragmented and PartialRead tests), through the buffer entry point as an
 * event loop would drive it, and through a stream that returns one byte per read.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyFragmentedHeaderTest {
    private static final byte[] APPLICATION = ascii("hello\r\n");

    private final ProxyHeaderParser parser = ProxyHeaderParser.create();

    /** Feeds {@code bytes} into a buffer in the given piece sizes, parsing after each, as an event loop does. */
    private Complete feed(byte[] bytes, java.util.function.IntSupplier pieceSize, int headerLength) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(bytes.length);
        int sent = 0;
        while (sent < bytes.length) {
            int piece = Math.min(pieceSize.getAsInt(), bytes.length - sent);
            buffer.put(bytes, sent, piece);
            sent += piece;
            buffer.flip();
            var result = parser.parse(buffer);
            if (result instanceof Complete complete) {
                assertThat(sent).as("complete only once the last header byte is in").isGreaterThanOrEqualTo(headerLength);
                assertThat(sent - piece).as("not complete before the last header byte").isLessThan(headerLength);
                assertThat(buffer.position()).isEqualTo(headerLength);
                return complete;
            }
            NeedMore needMore = (NeedMore) result;
            assertThat(buffer.position()).as("unchanged while incomplete").isZero();
            assertThat(sent + needMore.bytes()).as("never asks past the header").isLessThanOrEqualTo(headerLength);
            buffer.compact();
        }
        throw new AssertionError("never complete after all " + bytes.length + " bytes");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.internal.proxy.SampleHeaders#all")
    void oneByteAtATimeGivesTheSameHeaderAsAllAtOnce(String name, byte[] header) throws Exception {
        var whole = (Complete) parser.parse(header, 0, header.length);

        var pieced = feed(concat(header, APPLICATION), () -> 1, header.length);

        assertThat(pieced).isEqualTo(whole);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.internal.proxy.SampleHeaders#all")
    void randomPiecesOfOneToSevenBytesGiveTheSameHeader(String name, byte[] header) throws Exception {
        var whole = (Complete) parser.parse(header, 0, header.length);
        var random = new SplittableRandom(0x5EED_0001L);

        for (int round = 0; round < 50; round++) {
            assertThat(feed(concat(header, APPLICATION), () -> random.nextInt(1, 8), header.length)).isEqualTo(whole);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.internal.proxy.SampleHeaders#all")
    void aStreamThatReturnsOneBytePerReadGivesTheSameHeader(String name, byte[] header) throws Exception {
        var whole = (Complete) parser.parse(header, 0, header.length);
        var in = new TestStreams.Recording(concat(header, APPLICATION), 1);

        assertThat(parser.read(in)).isEqualTo(whole.header());
        assertThat(in.rest()).isEqualTo(APPLICATION);
        assertThat(in.reads()).isEqualTo(header.length);
    }
}
