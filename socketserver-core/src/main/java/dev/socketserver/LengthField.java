package dev.socketserver;

import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Where a length-prefixed frame keeps its length, and how large a frame may be: the description
 * both families read frames with ({@link Connection#readFrame} on a blocking connection,
 * {@link dev.socketserver.async.Framer#lengthField} on the event loop). It offers what Netty's
 * {@code LengthFieldBasedFrameDecoder} does, with the same meaning.
 *
 * <p>A frame on the wire is {@code offset} bytes of header, the length field of {@code width}
 * bytes, then the rest. The field's value (unsigned) plus {@code adjustment} is the number of
 * bytes after the field, so the whole frame is {@code offset + width + value + adjustment} bytes.
 * The reader hands over that frame without its first {@code strip} bytes.
 *
 * {@snippet :
 * LengthField.prefix(4, 1 << 20);                       // a 4-byte big-endian length, then that many bytes; the payload is handed over
 * LengthField.prefix(2, 65_537).withOrder(ByteOrder.LITTLE_ENDIAN);
 * LengthField.prefix(2, 4096).withAdjustment(-2);       // the length counts itself
 * new LengthField(1, 3, ByteOrder.BIG_ENDIAN, 0, 0, 4096);   // a type byte, a 3-byte length; the whole frame is handed over
 * }
 *
 * @param offset bytes before the length field, 0 or more
 * @param width the length field's size in bytes: 1, 2, 3, 4 or 8
 * @param order the length field's byte order
 * @param adjustment added to the field's value to give the number of bytes after the field: negative when the
 *     value counts the header too ({@code -(offset + width)} when it counts the whole frame)
 * @param strip bytes removed from the start of each frame before it is handed over, 0 or more: {@code offset + width}
 *     hands over what follows the header
 * @param maxFrameLength the longest frame accepted, counted whole on the wire (header included, before
 *     stripping); a longer one is refused with {@link FrameTooLongException} without being read
 */
public record LengthField(int offset, int width, ByteOrder order, int adjustment, int strip, int maxFrameLength) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if {@code width} is not 1, 2, 3, 4 or 8, {@code offset} or {@code strip}
     *     is negative, or {@code maxFrameLength} is too small to hold the header
     */
    public LengthField {
        Objects.requireNonNull(order, "order");
        if (width != 1 && width != 2 && width != 3 && width != 4 && width != 8) {
            throw new IllegalArgumentException("length field width must be 1, 2, 3, 4 or 8 bytes, got " + width);
        }
        if (offset < 0 || strip < 0) {
            throw new IllegalArgumentException("length field offset and bytes to strip must be 0 or more, got " + offset + " and " + strip);
        }
        if (maxFrameLength < 1 || maxFrameLength < (long) offset + width) {
            throw new IllegalArgumentException("maxFrameLength must hold at least the header of " + ((long) offset + width)
                    + " bytes, got " + maxFrameLength);
        }
    }

    /**
     * The common case: a big-endian length of {@code width} bytes at the start of each frame,
     * counting the bytes after it, and the frame handed over without it.
     *
     * @param maxFrameLength the longest frame accepted, its length field included
     */
    public static LengthField prefix(int width, int maxFrameLength) {
        return new LengthField(0, width, ByteOrder.BIG_ENDIAN, 0, width, maxFrameLength);
    }

    /** This description with the length field {@code offset} bytes into the frame; the other values stay. */
    public LengthField withOffset(int offset) {
        return new LengthField(offset, width, order, adjustment, strip, maxFrameLength);
    }

    /** This description with the length field in {@code order}. */
    public LengthField withOrder(ByteOrder order) {
        return new LengthField(offset, width, order, adjustment, strip, maxFrameLength);
    }

    /** This description with {@code adjustment} added to the field's value. */
    public LengthField withAdjustment(int adjustment) {
        return new LengthField(offset, width, order, adjustment, strip, maxFrameLength);
    }

    /** This description removing {@code strip} bytes from the start of each frame. */
    public LengthField withStrip(int strip) {
        return new LengthField(offset, width, order, adjustment, strip, maxFrameLength);
    }
}
