package dev.socketserver.async;

import dev.socketserver.LengthField;
import dev.socketserver.internal.framing.FrameDecoder;

import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How a connection's bytes are cut into frames for a {@link FrameProtocol}: what Netty's frame
 * decoders do, as a value. Each framer has a limit, so one client cannot fill the server's memory
 * with a frame that never ends; a frame over it goes to {@link FrameProtocol#frameTooLong}.
 *
 * <table class="striped">
 * <caption>The framers</caption>
 * <thead><tr><th>Framer</th><th>A frame is</th><th>Handed over</th><th>Netty's</th></tr></thead>
 * <tbody>
 * <tr><td>{@link #lines lines(max)}</td><td>bytes up to {@code \n} or {@code \r\n}</td><td>without the terminator</td>
 *     <td>{@code LineBasedFrameDecoder}</td></tr>
 * <tr><td>{@link #delimiter delimiter(bytes, max)}</td><td>bytes up to a delimiter</td><td>without the delimiter</td>
 *     <td>{@code DelimiterBasedFrameDecoder}</td></tr>
 * <tr><td>{@link #lengthField lengthField(field)}</td><td>a header with a length field, then that many bytes</td>
 *     <td>without its first {@link LengthField#strip() strip} bytes</td><td>{@code LengthFieldBasedFrameDecoder}</td></tr>
 * <tr><td>{@link #fixedLength fixedLength(n)}</td><td>{@code n} bytes</td><td>whole</td><td>{@code FixedLengthFrameDecoder}</td></tr>
 * </tbody>
 * </table>
 *
 * <p>A framer is immutable and may serve any number of connections: each gets its own state.
 */
public final class Framer {
    private final Supplier<FrameDecoder> decoders;
    private final String description;

    private Framer(Supplier<FrameDecoder> decoders, String description) {
        this.decoders = decoders;
        this.description = description;
        decoders.get();   // checks the arguments now, not at the first connection
    }

    /**
     * Lines ending in {@code \n} or {@code \r\n}, handed over without the terminator; a bare
     * {@code \r} inside a line is kept. A last line that the peer ends with EOF instead of a
     * newline is handed over too, as {@link dev.socketserver.Connection#readLine(int)} returns it.
     *
     * @param maxLength the longest line, in bytes, without its terminator
     * @throws IllegalArgumentException if {@code maxLength} is less than 1
     */
    public static Framer lines(int maxLength) {
        return new Framer(() -> FrameDecoder.lines(maxLength), "lines of at most " + maxLength + " bytes");
    }

    /**
     * Frames ending in {@code delimiter} (one or more bytes), handed over without it. A frame cut
     * short by EOF is dropped.
     *
     * @param maxLength the longest frame, in bytes, without the delimiter
     * @throws IllegalArgumentException if the delimiter is empty or {@code maxLength} is less than 1
     */
    public static Framer delimiter(byte[] delimiter, int maxLength) {
        byte[] copy = Objects.requireNonNull(delimiter, "delimiter").clone();
        return new Framer(() -> FrameDecoder.delimiter(copy, maxLength),
                "frames of at most " + maxLength + " bytes ending in 0x" + HexFormat.of().formatHex(copy));
    }

    /**
     * Frames whose length is in a header field, as {@code field} describes (width 1, 2, 3, 4 or 8
     * bytes, either byte order, an offset, an adjustment, bytes to strip, a maximum). A frame cut
     * short by EOF is dropped; a length field that gives a frame shorter than its own header (or
     * than the bytes to strip) aborts the connection, with a {@link java.net.ProtocolException} as
     * the cause {@link FrameProtocol#connectionLost} gets.
     */
    public static Framer lengthField(LengthField field) {
        Objects.requireNonNull(field, "field");
        return new Framer(() -> FrameDecoder.lengthField(field), "frames described by " + field);
    }

    /**
     * Records of exactly {@code length} bytes. A record cut short by EOF is dropped.
     *
     * @throws IllegalArgumentException if {@code length} is less than 1
     */
    public static Framer fixedLength(int length) {
        return new Framer(() -> FrameDecoder.fixedLength(length), "records of " + length + " bytes");
    }

    /** A decoder with its own state, for one connection. */
    FrameDecoder newDecoder() {
        return decoders.get();
    }

    /** What the framer cuts: {@code "lines of at most 1024 bytes"}. */
    @Override
    public String toString() {
        return description;
    }
}
