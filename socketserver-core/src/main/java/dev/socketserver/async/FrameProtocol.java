package dev.socketserver.async;

import dev.socketserver.FrameTooLongException;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A {@link Protocol} that receives whole frames instead of bytes as they arrive: lines,
 * delimited records, length-prefixed messages or fixed-size records, cut by a {@link Framer}.
 * {@link #framedBy} makes the protocol factory an {@link AsyncServer} takes:
 *
 * {@snippet :
 * AsyncServer.tcp(9000, FrameProtocol.framedBy(Framer.lines(1024), () -> new FrameProtocol() {
 *     Transport transport;
 *     public void connectionMade(Transport t) { transport = t; }
 *     public void frameReceived(ByteBuffer line) {
 *         transport.write(UTF_8.encode("you said " + UTF_8.decode(line) + "\r\n"));
 *     }
 * })).serveForever();
 * }
 *
 * <p>The callbacks, their thread (the connection's event loop, one at a time) and their order are
 * {@link Protocol}'s, with {@link #frameReceived} for {@code dataReceived}.
 *
 * <p>Memory: a frame that arrives whole in one read is handed over in place, a view of the loop's
 * read buffer, without a copy. One that spans reads is gathered in a buffer of the connection's,
 * made for it: of the frame's size as soon as the framer knows it (a length field, a fixed size), so
 * each byte is copied once; else (lines, delimiters) doubling as the frame grows, never past the
 * framer's limit. That buffer is dropped once the frame is handed over, so an idle connection holds nothing. Backpressure works as with a {@code Protocol}: while the connection's
 * replies are backed up above the high-water mark (or the protocol paused reading), no more frames
 * are handed over and the socket is not read; the frames that one read brought are held until
 * reading resumes, then handed over in order. So a client that pipelines requests and never reads
 * the replies costs the server the water mark, one read and one frame.
 */
public interface FrameProtocol {

    /** The connection is open; keep {@code transport} to write and close. */
    default void connectionMade(Transport transport) {
    }

    /**
     * A whole frame arrived, as the framer hands it over (a line without its newline, a length-prefixed
     * frame without its stripped header), from {@code frame}'s position to its limit. It belongs to
     * the event loop and is valid only during this call: read it, or copy what must outlive it.
     */
    void frameReceived(ByteBuffer frame);

    /**
     * The peer sent a frame longer than the framer's limit. Nothing more is read or handed over, and
     * the connection is closed when this returns, after what was written is flushed: write an error
     * reply here if the protocol has one. The server logs one line at {@code DEBUG} (logger
     * {@code dev.socketserver.request}) and carries on with its other connections. Does nothing by default.
     */
    default void frameTooLong(FrameTooLongException error) {
    }

    /**
     * The peer shut its output down (EOF); see {@link Protocol#eofReceived()}. An unfinished frame
     * before it is dropped, but for a last line without its newline, which is handed over first.
     *
     * @return true to keep the connection half-open for writing; false, the default, to close it
     */
    default boolean eofReceived() {
        return false;
    }

    /**
     * The connection is closed. Called exactly once.
     *
     * @param cause null for a normal close, else what ended the connection
     */
    default void connectionLost(Throwable cause) {
    }

    /** The write buffer rose above its high-water mark; see {@link Protocol#pauseWriting()}. */
    default void pauseWriting() {
    }

    /** The write buffer drained to the low-water mark; see {@link Protocol#resumeWriting()}. */
    default void resumeWriting() {
    }

    /** The server began to drain; see {@link Protocol#drainStarted()}. */
    default void drainStarted() {
    }

    /**
     * The protocol factory to give an {@link AsyncServer}: each connection gets a protocol from
     * {@code protocols} and its own state of {@code framer}.
     */
    static Supplier<Protocol> framedBy(Framer framer, Supplier<? extends FrameProtocol> protocols) {
        Objects.requireNonNull(framer, "framer");
        Objects.requireNonNull(protocols, "protocols");
        return () -> {
            FrameProtocol protocol = protocols.get();
            if (protocol == null) {
                throw new IllegalStateException("the frame protocol factory returned null");
            }
            return new FramedProtocol(framer.newDecoder(), protocol);
        };
    }
}
