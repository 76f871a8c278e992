package dev.socketserver.internal.framing;

import dev.socketserver.FrameTooLongException;
import dev.socketserver.LengthField;
import dev.socketserver.internal.SocketInput;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The blocking framing reads over a connection's buffered input, whichever way it lets them look
 * into it: byte by byte (an input that is not a {@link BufferWindow}, as {@link SocketInput} is
 * today) or window by window (an input that is one, of any window size). Each read takes exactly
 * its frame, so what follows is still there for the next read, and ends as documented at end of stream.
 */
@Timeout(30)
class FrameReadsTest {

    /** The inputs, each giving at most {@code chunk} bytes a read or a window. */
    static Stream<Arguments> inputs() {
        Stream.Builder<Arguments> all = Stream.builder();
        for (int chunk : new int[] {1, 3, 7, 2048, 16_384}) {
            all.add(Arguments.of("SocketInput, reads of " + chunk, (Function<byte[], InputStream>) data -> new SocketInput(trickle(data, chunk))));
            all.add(Arguments.of("windows of " + chunk, (Function<byte[], InputStream>) data -> new Windows(data, chunk)));
        }
        return all.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void everyReadTakesExactlyItsFrameAndLeavesTheRest(String name, Function<byte[], InputStream> input) throws IOException {
        byte[] big = new byte[40_000];
        Arrays.fill(big, (byte) 'b');
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(ascii("first line\r\nsecond\n"));
        stream.writeBytes(big);
        stream.writeBytes(ascii("\n12345key=value;;"));
        stream.writeBytes(new byte[] {0, 0, (byte) 0x9c, 0x40});   // 40,000 in a 4-byte big-endian prefix
        stream.writeBytes(big);
        stream.writeBytes(ascii("Xlast line, no newline"));
        InputStream in = input.apply(stream.toByteArray());

        assertThat(FrameReads.readLine(in, 100)).isEqualTo("first line");
        assertThat(FrameReads.readLine(in, 6)).isEqualTo("second");
        assertThat(FrameReads.readLine(in, 40_000)).hasSize(40_000);
        assertThat(FrameReads.readExactly(in, 5)).isEqualTo(ascii("12345"));
        assertThat(FrameReads.readUntil(in, ascii(";;"), 9)).isEqualTo(ascii("key=value"));
        assertThat(FrameReads.readFrame(in, LengthField.prefix(4, 40_004))).isEqualTo(big);
        assertThat(in.read()).isEqualTo('X');
        assertThat(FrameReads.readLine(in, 100)).isEqualTo("last line, no newline");
        assertThat(FrameReads.readLine(in, 100)).isNull();
        assertThat(FrameReads.readUntil(in, ascii(";"), 100)).isNull();
        assertThat(FrameReads.readFrame(in, LengthField.prefix(4, 100))).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void framesOverTheLimitAreRefusedAndFramesAtItAreTaken(String name, Function<byte[], InputStream> input) throws IOException {
        InputStream in = input.apply(ascii("0123456789\r\n0123456789x\n"));
        assertThat(FrameReads.readLine(in, 10)).isEqualTo("0123456789");
        assertThatThrownBy(() -> FrameReads.readLine(in, 10)).isInstanceOf(FrameTooLongException.class)
                .hasMessage("line longer than 10 bytes");

        InputStream delimited = input.apply(ascii("abc||abcd||"));
        assertThat(FrameReads.readUntil(delimited, ascii("||"), 3)).isEqualTo(ascii("abc"));
        assertThatThrownBy(() -> FrameReads.readUntil(delimited, ascii("||"), 3)).isInstanceOf(FrameTooLongException.class);

        InputStream prefixed = input.apply(new byte[] {3, 'a', 'b', 'c', 4, 'a', 'b', 'c', 'd'});
        assertThat(FrameReads.readFrame(prefixed, LengthField.prefix(1, 4))).isEqualTo(ascii("abc"));
        assertThatThrownBy(() -> FrameReads.readFrame(prefixed, LengthField.prefix(1, 4))).isInstanceOf(FrameTooLongException.class)
                .extracting(e -> ((FrameTooLongException) e).limit()).isEqualTo(4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void theEndOfTheStreamInsideAFrameIsAnEofException(String name, Function<byte[], InputStream> input) {
        assertThatThrownBy(() -> FrameReads.readExactly(input.apply(ascii("abc")), 10)).isInstanceOf(EOFException.class)
                .hasMessage("end of stream after 3 of 10 bytes");
        assertThatThrownBy(() -> FrameReads.readUntil(input.apply(ascii("abc;")), ascii(";;"), 10)).isInstanceOf(EOFException.class)
                .hasMessageContaining("after 4 bytes");
        assertThatThrownBy(() -> FrameReads.readFrame(input.apply(new byte[] {0, 0, 0}), LengthField.prefix(4, 10)))
                .isInstanceOf(EOFException.class).hasMessageContaining("header, after 3 of 4 bytes");
        assertThatThrownBy(() -> FrameReads.readFrame(input.apply(new byte[] {5, 'a'}), LengthField.prefix(1, 10)))
                .isInstanceOf(EOFException.class).hasMessageContaining("inside a frame of 6 bytes");
    }

    /** Gives at most {@code chunk} bytes per read, as a socket does. */
    private static InputStream trickle(byte[] data, int chunk) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    /** An input that lets the reads look into it, {@code chunk} bytes at a time: a buffered input as {@link BufferWindow} means it. */
    private static final class Windows extends InputStream implements BufferWindow {
        private final byte[] data;
        private final int chunk;
        private int position;
        private int windowEnd;

        Windows(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int window() {
            if (position == windowEnd) {
                windowEnd = Math.min(data.length, position + chunk);
            }
            return windowEnd - position;
        }

        @Override
        public byte[] windowArray() {
            return data;
        }

        @Override
        public int windowStart() {
            return position;
        }

        @Override
        public void consume(int n) {
            assertThat(position + n).isLessThanOrEqualTo(windowEnd);
            position += n;
        }

        @Override
        public int read() {
            if (window() == 0) {
                return -1;
            }
            return data[position++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = Math.min(len, window());
            if (n == 0) {
                return len == 0 ? 0 : -1;
            }
            System.arraycopy(data, position, b, off, n);
            position += n;
            return n;
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
