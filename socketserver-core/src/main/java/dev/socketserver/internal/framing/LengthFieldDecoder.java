package dev.socketserver.internal.framing;

import dev.socketserver.FrameTooLongException;
import dev.socketserver.LengthField;

import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Frames whose length is in a field of the header, as a {@link LengthField} describes: the field's
 * bytes are gathered as they pass (they may be split across pieces), then the frame's length is
 * known and checked against the maximum before any more of it is taken.
 */
final class LengthFieldDecoder extends FrameDecoder {
    private final LengthField field;
    private final int headerLength;
    private long seen;          // bytes of the current frame so far
    private long value;         // the length field, as far as it has been read
    private long frameLength = -1;

    LengthFieldDecoder(LengthField field) {
        this.field = field;
        this.headerLength = field.offset() + field.width();
    }

    @Override
    public int scan(ByteBuffer buffer, int from, int to) throws FrameTooLongException, ProtocolException {
        int i = from;
        if (frameLength < 0) {
            for (; i < to && seen < headerLength; i++, seen++) {
                if (seen >= field.offset()) {
                    long b = buffer.get(i) & 0xff;
                    value = field.order() == ByteOrder.BIG_ENDIAN ? value << 8 | b : value | b << (8 * (seen - field.offset()));
                }
            }
            if (seen < headerLength) {
                return -1;
            }
            frameLength = checkedLength(value);
        }
        long needed = frameLength - seen;
        if (to - i >= needed) {
            seen = 0;
            value = 0;
            frameLength = -1;
            return i + (int) needed;
        }
        seen += to - i;
        return -1;
    }

    /** The whole frame's length for the field's {@code value} (unsigned), or why there is none. */
    private long checkedLength(long value) throws FrameTooLongException, ProtocolException {
        int max = field.maxFrameLength();
        long extra = (long) field.adjustment() + headerLength;
        long length = value + extra;
        // value < 0: an 8-byte field of 2^63 or more
        if (value < 0 || (extra > 0 && value > Long.MAX_VALUE - extra) || length > max) {
            throw new FrameTooLongException("frame longer than the maximum of " + max + " bytes: its length field says "
                    + Long.toUnsignedString(value), max);
        }
        if (length < headerLength) {
            throw new ProtocolException("length field of " + value + " (adjusted by " + field.adjustment()
                    + ") gives a frame shorter than its own header of " + headerLength + " bytes");
        }
        if (length < field.strip()) {
            throw new ProtocolException("frame of " + length + " bytes is shorter than the " + field.strip() + " bytes to strip");
        }
        return length;
    }

    @Override
    public void trim(ByteBuffer frame) {
        frame.position(frame.position() + field.strip());
    }

    @Override
    public long expectedLength() {
        return frameLength;
    }

    @Override
    public int maxWireLength() {
        return field.maxFrameLength();
    }
}
