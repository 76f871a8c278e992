package dev.socketserver.internal.framing;

import dev.socketserver.FrameTooLongException;
import dev.socketserver.LengthField;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Finds where frames end in a stream of bytes that arrives in pieces: the framing rules shared by
 * the blocking connections ({@link FrameReads}) and the event loop's framing protocol. One instance
 * follows one stream: it remembers how much of the current frame it has seen, so that each byte is
 * looked at once however the frame is split, and it needs none of the earlier bytes again.
 *
 * <p>A reader feeds each piece to {@link #scan}, keeps what it scanned (or hands a frame that
 * lies whole in one piece over in place), and once a frame has ended narrows it to what the
 * caller gets with {@link #trim}. Not thread-safe: one reader at a time.
 */
public abstract sealed class FrameDecoder permits LineDecoder, DelimiterDecoder, LengthFieldDecoder, FixedLengthDecoder {

    /** Lines ending in {@code \n} or {@code \r\n}, at most {@code maxLength} bytes without it. */
    public static FrameDecoder lines(int maxLength) {
        return new LineDecoder(maxLength);
    }

    /** Frames ending in {@code delimiter}, at most {@code maxLength} bytes without it. */
    public static FrameDecoder delimiter(byte[] delimiter, int maxLength) {
        return new DelimiterDecoder(delimiter, maxLength);
    }

    /** Frames whose length is in a field, as {@code field} describes. */
    public static FrameDecoder lengthField(LengthField field) {
        return new LengthFieldDecoder(field);
    }

    /** Frames of exactly {@code length} bytes. */
    public static FrameDecoder fixedLength(int length) {
        return new FixedLengthDecoder(length);
    }

    /**
     * Goes on with the current frame over {@code buffer}'s bytes from index {@code from} to
     * {@code to} (absolute indices; the buffer's position and limit are neither used nor changed).
     * When the frame ends there, the decoder is ready for the next one.
     *
     * @return the index just past the frame's last byte, or -1 if every byte up to {@code to} belongs
     *     to the frame and more are needed
     * @throws FrameTooLongException if the frame passes its limit
     * @throws java.net.ProtocolException if a length field gives a length that cannot be
     */
    public abstract int scan(ByteBuffer buffer, int from, int to) throws IOException;

    /** Narrows a whole frame (from {@code frame}'s position to its limit) to what its reader gets: without its terminator, or its stripped header. */
    public abstract void trim(ByteBuffer frame);

    /** The current frame's length on the wire, when known before its end (a length field that has been read, a fixed size); else -1. */
    public abstract long expectedLength();

    /** The longest a frame may be on the wire, terminator and header included: what a buffer gathering one never needs to pass. */
    public abstract int maxWireLength();

    /**
     * At the end of the stream, whether the unfinished frame (at least one byte, from {@code partial}'s
     * position to its limit) is still a frame, narrowed as {@link #trim} does: a last line without its
     * newline is; an incomplete delimited or length-prefixed frame is not.
     */
    public boolean endsAtEndOfStream(ByteBuffer partial) {
        return false;
    }

    static int positive(int value, String what) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1 byte, got " + value);
        }
        return value;
    }
}
