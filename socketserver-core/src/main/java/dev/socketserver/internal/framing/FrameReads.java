package dev.socketserver.internal.framing;

import dev.socketserver.LengthField;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * The framing reads of a blocking connection ({@code Connection.readLine(int)}, {@code readUntil},
 * {@code readExactly}, {@code readFrame}) over its buffered input. None takes a byte past the end
 * of its frame, so they mix freely with each other and with reads of {@code in()}. A frame that
 * lies whole in the input's buffer is copied once, into what the caller gets; one that spans
 * reads is gathered in an array that grows, at most to the frame's limit.
 */
public final class FrameReads {
    private static final int FIRST_PARTIAL = 256;

    private FrameReads() {
    }

    /** A line without its {@code \n} or {@code \r\n}, decoded as UTF-8; null at end of stream with nothing pending. */
    public static String readLine(InputStream in, int maxLength) throws IOException {
        return scan(in, FrameDecoder.lines(maxLength),
                line -> new String(line.array(), line.arrayOffset() + line.position(), line.remaining(), StandardCharsets.UTF_8));
    }

    /** The bytes before {@code delimiter}, which is consumed; null at end of stream with nothing pending. */
    public static byte[] readUntil(InputStream in, byte[] delimiter, int maxLength) throws IOException {
        Objects.requireNonNull(delimiter, "delimiter");
        return scan(in, FrameDecoder.delimiter(delimiter, maxLength), FrameReads::bytes);
    }

    /** Exactly {@code n} bytes. */
    public static byte[] readExactly(InputStream in, int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("the number of bytes to read must be 0 or more, got " + n);
        }
        byte[] bytes = new byte[n];
        int read = in.readNBytes(bytes, 0, n);
        if (read < n) {
            throw new EOFException("end of stream after " + read + " of " + n + " bytes");
        }
        return bytes;
    }

    /**
     * One frame as {@code field} describes it, without its stripped bytes; null at end of stream
     * before its first byte. The header is read first and the frame's length checked, then the
     * frame is read into an array of its size.
     */
    public static byte[] readFrame(InputStream in, LengthField field) throws IOException {
        Objects.requireNonNull(field, "field");
        FrameDecoder decoder = FrameDecoder.lengthField(field);
        int headerLength = field.offset() + field.width();
        byte[] header = new byte[headerLength];
        int read = in.readNBytes(header, 0, headerLength);
        if (read == 0) {
            return null;
        }
        if (read < headerLength) {
            throw new EOFException("end of stream inside a frame's header, after " + read + " of " + headerLength + " bytes");
        }
        long length = decoder.scan(ByteBuffer.wrap(header), 0, headerLength) >= 0 ? headerLength : decoder.expectedLength();
        byte[] frame = new byte[(int) (length - field.strip())];
        int keptOfHeader = Math.max(0, headerLength - field.strip());
        System.arraycopy(header, headerLength - keptOfHeader, frame, 0, keptOfHeader);
        int rest = frame.length - keptOfHeader;
        try {
            in.skipNBytes(Math.max(0, field.strip() - headerLength));
            read = in.readNBytes(frame, keptOfHeader, rest);
        } catch (EOFException skippedPastTheEnd) {
            read = -1;
        }
        if (read < rest) {
            throw new EOFException("end of stream inside a frame of " + length + " bytes");
        }
        return frame;
    }

    /**
     * Scans {@code in} for the end of a frame, window by window, and hands the frame, narrowed by
     * the decoder, to {@code convert} before anything more is read. A frame within one window is
     * converted in place; one that spans windows is gathered first.
     */
    private static <T> T scan(InputStream in, FrameDecoder decoder, Function<ByteBuffer, T> convert) throws IOException {
        BufferWindow window = BufferWindow.of(in);
        byte[] partial = null;
        int size = 0;
        ByteBuffer view = null;   // of the window's array, made again only when the array changes
        while (true) {
            int n = window.window();
            if (n == 0) {
                if (size == 0) {
                    return null;
                }
                ByteBuffer rest = ByteBuffer.wrap(partial, 0, size);
                if (decoder.endsAtEndOfStream(rest)) {
                    return convert.apply(rest);
                }
                throw new EOFException("end of stream inside a frame, after " + size + " bytes of it");
            }
            byte[] array = window.windowArray();
            int start = window.windowStart();
            int end;
            try {
                if (view == null || view.array() != array) {
                    view = ByteBuffer.wrap(array);
                }
                end = decoder.scan(view, start, start + n);
            } catch (IOException e) {
                window.consume(n);   // the connection is past use; leave no byte of the frame behind
                throw e;
            }
            int taken = (end < 0 ? start + n : end) - start;
            if (end >= 0 && size == 0) {
                ByteBuffer frame = ByteBuffer.wrap(array, start, taken);
                decoder.trim(frame);
                T result = convert.apply(frame);
                window.consume(taken);
                return result;
            }
            if (partial == null || size + taken > partial.length) {
                int capacity = Math.max(size + taken, Math.min(partial == null ? FIRST_PARTIAL : partial.length * 2, decoder.maxWireLength()));
                partial = partial == null ? new byte[capacity] : Arrays.copyOf(partial, capacity);
            }
            System.arraycopy(array, start, partial, size, taken);
            size += taken;
            window.consume(taken);
            if (end >= 0) {
                ByteBuffer frame = ByteBuffer.wrap(partial, 0, size);
                decoder.trim(frame);
                return convert.apply(frame);
            }
        }
    }

    private static byte[] bytes(ByteBuffer frame) {
        return Arrays.copyOfRange(frame.array(), frame.arrayOffset() + frame.position(), frame.arrayOffset() + frame.limit());
    }
}
