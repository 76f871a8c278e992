package dev.socketserver.internal.framing;

import dev.socketserver.FrameTooLongException;
import dev.socketserver.LengthField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The framing rules both families share: every framer finds the same frames however the stream is
 * split (in pieces of every size from one byte up), takes frames of exactly its limit and refuses
 * one byte more, and the length field reads every width in both byte orders with an offset, an
 * adjustment and bytes to strip, as Netty's {@code LengthFieldBasedFrameDecoder} does.
 */
@Timeout(30)
class FrameDecoderTest {

    @Test
    void linesEndInNewlineOrCrLfAndKeepABareCr() throws IOException {
        assertThat(framesInEverySplit(() -> FrameDecoder.lines(100), "one\r\ntwo\nthree\rstill three\n\n\r\nlast\r"))
                .containsExactly("one", "two", "three\rstill three", "", "", "last<EOF>");
    }

    @Test
    void aLineOfExactlyTheLimitIsTakenWithEitherTerminatorAndOneByteMoreIsRefused() throws IOException {
        String ten = "0123456789";
        assertThat(framesInEverySplit(() -> FrameDecoder.lines(10), ten + "\n" + ten + "\r\n")).containsExactly(ten, ten);
        for (String tooLong : List.of(ten + "x\n", ten + "x\r\n", ten + "\rx\n", ten + "xxxxxxxxxxxxxxxxxxx")) {
            assertThatThrownBy(() -> framesInEverySplit(() -> FrameDecoder.lines(10), tooLong))
                    .as(tooLong).isInstanceOf(FrameTooLongException.class)
                    .hasMessage("line longer than 10 bytes").extracting(e -> ((FrameTooLongException) e).limit()).isEqualTo(10);
        }
    }

    @Test
    void anOverlongLineIsRefusedWithoutLookingPastTheLimit() {
        // the scan may go to index 1 MiB, but the buffer ends at 12: a look past the limit would fail with IndexOutOfBounds
        ByteBuffer noNewline = ByteBuffer.allocate(1 << 20).limit(12);
        assertThatThrownBy(() -> FrameDecoder.lines(10).scan(noNewline, 0, 1 << 20)).isInstanceOf(FrameTooLongException.class);
    }

    @Test
    void aDelimiterIsFoundAcrossSplitsEvenWhenItOverlapsItself() throws IOException {
        assertThat(framesInEverySplit(() -> FrameDecoder.delimiter(ascii("aab"), 20), "xaaab" + "aab" + "aaaab" + "abaab"))
                .containsExactly("xa", "", "aa", "ab");
        assertThat(framesInEverySplit(() -> FrameDecoder.delimiter(ascii("\r\n\r\n"), 50), "GET / HTTP/1.1\r\nHost: x\r\n\r\nnext\r\n\r\n"))
                .containsExactly("GET / HTTP/1.1\r\nHost: x", "next");
    }

    @Test
    void aDelimitedFrameOfExactlyTheLimitIsTakenAndOneByteMoreIsRefused() throws IOException {
        assertThat(framesInEverySplit(() -> FrameDecoder.delimiter(ascii("||"), 5), "12345||1|345||")).containsExactly("12345", "1|345");
        assertThatThrownBy(() -> framesInEverySplit(() -> FrameDecoder.delimiter(ascii("||"), 5), "123456||"))
                .isInstanceOf(FrameTooLongException.class).hasMessageContaining("longer than 5 bytes");
        assertThatThrownBy(() -> framesInEverySplit(() -> FrameDecoder.delimiter(ascii("||"), 5), "12345|x"))
                .isInstanceOf(FrameTooLongException.class);
    }

    @Test
    void fixedLengthRecordsAreCutWhole() throws IOException {
        assertThat(framesInEverySplit(() -> FrameDecoder.fixedLength(3), "abcdefghi")).containsExactly("abc", "def", "ghi");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void aLengthPrefixOfEveryWidthInBothByteOrders(int width) throws IOException {
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            LengthField field = LengthField.prefix(width, width + 200).withOrder(order);
            byte[] stream = concat(header(width, order, 5), ascii("hello"), header(width, order, 0), header(width, order, 200),
                    new byte[200]);
            assertThat(framesInEverySplit(() -> FrameDecoder.lengthField(field), stream))
                    .as("width %d %s", width, order).containsExactly("hello", "", "\0".repeat(200));
        }
    }

    @Test
    void aLengthFieldWithAnOffsetAnAdjustmentAndBytesToStrip() throws IOException {
        // Netty's examples: a 2-byte header before a 3-byte length that counts the whole frame, nothing stripped
        LengthField whole = new LengthField(2, 3, ByteOrder.BIG_ENDIAN, -5, 0, 100);
        byte[] frame = concat(ascii("HD"), header(3, ByteOrder.BIG_ENDIAN, 17), ascii("HELLO, WORLD"));
        assertThat(framesInEverySplit(() -> FrameDecoder.lengthField(whole), concat(frame, frame)))
                .containsExactly(text(frame), text(frame));
        // HDR1, LEN (2 bytes, counting only the content), HDR2, content; strip HDR1 and LEN
        LengthField hdr = new LengthField(1, 2, ByteOrder.BIG_ENDIAN, 1, 3, 100);
        byte[] second = concat(ascii("\u00ca"), header(2, ByteOrder.BIG_ENDIAN, 12), ascii("\u00feHELLO, WORLD"));
        assertThat(framesInEverySplit(() -> FrameDecoder.lengthField(hdr), second)).containsExactly("\u00feHELLO, WORLD");
        // stripping past the header: the first two bytes of the content go too
        LengthField deep = LengthField.prefix(1, 100).withStrip(3);
        assertThat(framesInEverySplit(() -> FrameDecoder.lengthField(deep), concat(new byte[] {4}, ascii("abcd"))))
                .containsExactly("cd");
    }

    @Test
    void aLengthFieldFrameOfExactlyTheMaximumIsTakenAndOneByteMoreIsRefusedBeforeItsBody() throws IOException {
        LengthField field = LengthField.prefix(2, 10);   // 2 + 8 bytes at most
        assertThat(framesInEverySplit(() -> FrameDecoder.lengthField(field), concat(new byte[] {0, 8}, ascii("12345678"))))
                .containsExactly("12345678");
        assertThatThrownBy(() -> framesInEverySplit(() -> FrameDecoder.lengthField(field), new byte[] {0, 9}))
                .isInstanceOf(FrameTooLongException.class).hasMessageContaining("maximum of 10 bytes")
                .extracting(e -> ((FrameTooLongException) e).limit()).isEqualTo(10);
        byte[] eightBytesOfOnes = {-1, -1, -1, -1, -1, -1, -1, -1};
        assertThatThrownBy(() -> framesInEverySplit(() -> FrameDecoder.lengthField(LengthField.prefix(8, 100)), eightBytesOfOnes))
                .isInstanceOf(FrameTooLongException.class).hasMessageContaining("18446744073709551615");
    }

    @Test
    void aLengthThatCannotBeIsAProtocolError() {
        LengthField countsItself = LengthField.prefix(2, 100).withAdjustment(-2);
        assertThatThrownBy(() -> framesInEverySplit(() -> FrameDecoder.lengthField(countsItself), new byte[] {0, 1}))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("shorter than its own header");
        LengthField stripsTooMuch = LengthField.prefix(1, 100).withStrip(5);
        assertThatThrownBy(() -> framesInEverySplit(() -> FrameDecoder.lengthField(stripsTooMuch), new byte[] {2, 'a', 'b'}))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("bytes to strip");
    }

    @Test
    void badArgumentsAreRefusedWithAMessageThatSaysWhatToChange() {
        assertThatThrownBy(() -> FrameDecoder.lines(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> FrameDecoder.delimiter(new byte[0], 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LengthField.prefix(5, 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1, 2, 3, 4 or 8");
        assertThatThrownBy(() -> LengthField.prefix(4, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header of 4");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static List<String> framesInEverySplit(Supplier<FrameDecoder> decoders, String stream) throws IOException {
        return framesInEverySplit(decoders, stream.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The frames of {@code stream} fed in pieces of each size from 1 to its length; fails unless every split gives the same. */
    private static List<String> framesInEverySplit(Supplier<FrameDecoder> decoders, byte[] stream) throws IOException {
        List<String> first = null;
        for (int piece = 1; piece <= Math.max(1, stream.length); piece++) {
            List<String> frames = frames(decoders.get(), stream, piece);
            if (first == null) {
                first = frames;
            } else {
                assertThat(frames).as("in pieces of %d bytes", piece).isEqualTo(first);
            }
        }
        return first;
    }

    /** Feeds {@code stream} in pieces of {@code piece} bytes, gathering frames that span pieces, as a reader does. */
    private static List<String> frames(FrameDecoder decoder, byte[] stream, int piece) throws IOException {
        List<String> frames = new ArrayList<>();
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        for (int at = 0; at < stream.length; at += piece) {
            ByteBuffer buffer = ByteBuffer.wrap(stream, 0, Math.min(stream.length, at + piece));
            int from = at;
            while (from < buffer.limit()) {
                int end = decoder.scan(buffer, from, buffer.limit());
                int upTo = end < 0 ? buffer.limit() : end;
                partial.write(stream, from, upTo - from);
                from = upTo;
                if (end >= 0) {
                    ByteBuffer frame = ByteBuffer.wrap(partial.toByteArray());
                    decoder.trim(frame);
                    frames.add(StandardCharsets.ISO_8859_1.decode(frame).toString());
                    partial.reset();
                }
            }
        }
        if (partial.size() > 0) {
            ByteBuffer rest = ByteBuffer.wrap(partial.toByteArray());
            if (decoder.endsAtEndOfStream(rest)) {
                frames.add(StandardCharsets.ISO_8859_1.decode(rest).toString() + "<EOF>");
            }
        }
        return frames;
    }

    private static byte[] header(int width, ByteOrder order, long value) {
        byte[] bytes = new byte[width];
        for (int i = 0; i < width; i++) {
            int shift = 8 * (order == ByteOrder.BIG_ENDIAN ? width - 1 - i : i);
            bytes[i] = (byte) (value >>> shift);
        }
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
