package dev.socketserver.internal.framing;

import java.nio.ByteBuffer;

/** Records of exactly {@code length} bytes, handed over whole. */
final class FixedLengthDecoder extends FrameDecoder {
    private final int length;
    private int seen;   // bytes of the current record so far

    FixedLengthDecoder(int length) {
        this.length = positive(length, "record length");
    }

    @Override
    public int scan(ByteBuffer buffer, int from, int to) {
        int needed = length - seen;
        if (to - from >= needed) {
            seen = 0;
            return from + needed;
        }
        seen += to - from;
        return -1;
    }

    @Override
    public void trim(ByteBuffer frame) {
    }

    @Override
    public long expectedLength() {
        return length;
    }

    @Override
    public int maxWireLength() {
        return length;
    }
}
