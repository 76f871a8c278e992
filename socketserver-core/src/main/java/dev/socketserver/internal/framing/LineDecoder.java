package dev.socketserver.internal.framing;

import dev.socketserver.FrameTooLongException;

import java.nio.ByteBuffer;

/**
 * Lines ending in {@code \n} or {@code \r\n}, at most {@code maxLength} bytes without the
 * terminator. A bare {@code \r} inside a line is part of it. Stops at the first byte that makes
 * the line certainly too long, without looking further.
 */
final class LineDecoder extends FrameDecoder {
    private final int maxLength;
    private long seen;              // bytes of the current line so far, none of them '\n'
    private boolean lastWasCr;      // the last of them is '\r'

    LineDecoder(int maxLength) {
        this.maxLength = positive(maxLength, "maximum line length");
    }

    @Override
    public int scan(ByteBuffer buffer, int from, int to) throws FrameTooLongException {
        // the '\n' may come at most at offset maxLength + 1 of the line: after maxLength bytes and a '\r'
        long room = (long) maxLength + 2 - seen;
        int end = (int) Math.min(to, from + room);
        for (int i = from; i < end; i++) {
            if (buffer.get(i) == '\n') {
                long length = seen + (i - from);
                boolean cr = i > from ? buffer.get(i - 1) == '\r' : lastWasCr;
                if (length - (cr ? 1 : 0) > maxLength) {
                    throw tooLong();
                }
                seen = 0;
                lastWasCr = false;
                return i + 1;
            }
        }
        if (end > from) {
            lastWasCr = buffer.get(end - 1) == '\r';
        }
        seen += end - from;
        if (seen > maxLength + 1L || (seen == maxLength + 1L && !lastWasCr)) {
            throw tooLong();
        }
        return -1;
    }

    private FrameTooLongException tooLong() {
        return new FrameTooLongException("line longer than " + maxLength + " bytes", maxLength);
    }

    @Override
    public void trim(ByteBuffer frame) {
        int limit = frame.limit() - 1;   // the '\n'
        if (limit > frame.position() && frame.get(limit - 1) == '\r') {
            limit--;
        }
        frame.limit(limit);
    }

    @Override
    public long expectedLength() {
        return -1;
    }

    @Override
    public int maxWireLength() {
        return (int) Math.min(Integer.MAX_VALUE, maxLength + 2L);
    }

    /** A last line without its newline is a line, as {@code BufferedReader} has it; a trailing {@code \r} is dropped. */
    @Override
    public boolean endsAtEndOfStream(ByteBuffer partial) {
        if (partial.get(partial.limit() - 1) == '\r') {
            partial.limit(partial.limit() - 1);
        }
        return true;
    }
}
