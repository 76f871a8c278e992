package dev.socketserver;

import java.io.IOException;

/**
 * A peer sent a frame (a line, a delimited record, a length-prefixed message) longer than the
 * reader's limit. Thrown by the framing reads of {@link Connection} ({@link Connection#readLine(int)},
 * {@link Connection#readUntil}, {@link Connection#readFrame}) and handed to
 * {@link dev.socketserver.async.FrameProtocol#frameTooLong} on the event loop.
 *
 * <p>The limit keeps one client from filling the server's memory: the reader stops soon after the
 * limit is passed, without reading the rest of the frame. The connection is then somewhere inside
 * that frame and cannot be read meaningfully any more: answer with an error if the protocol has
 * one, and end the connection. A handler that lets this escape ends its connection, and the server
 * logs it as one line, not as a handler's error.
 */
public final class FrameTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int limit;

    /**
     * @param message what was too long, for the log: {@code "line longer than 1024 bytes"}
     * @param limit the limit in bytes that the frame passed
     */
    public FrameTooLongException(String message, int limit) {
        super(message);
        this.limit = limit;
    }

    /** The limit, in bytes, that the frame passed. */
    public int limit() {
        return limit;
    }
}
