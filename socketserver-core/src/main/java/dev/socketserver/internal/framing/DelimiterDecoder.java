package dev.socketserver.internal.framing;

import dev.socketserver.FrameTooLongException;

import java.nio.ByteBuffer;

/**
 * Frames ending in a delimiter of one or more bytes, at most {@code maxLength} bytes without it.
 * The search is Knuth-Morris-Pratt's, so a delimiter split across pieces is found without going
 * back, and each byte is looked at once even for delimiters that overlap themselves
 * ({@code "aab"} in {@code "aaab"}).
 */
final class DelimiterDecoder extends FrameDecoder {
    private final byte[] delimiter;
    private final int[] fallback;   // fallback[k]: how much of the delimiter still matches after a mismatch with k + 1 bytes matched
    private final int maxLength;
    private long seen;              // bytes of the current frame so far, the matched part of the delimiter included
    private int matched;            // how many bytes of the delimiter the frame ends with now

    DelimiterDecoder(byte[] delimiter, int maxLength) {
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("the delimiter must have at least one byte");
        }
        this.delimiter = delimiter.clone();
        this.fallback = fallbacks(this.delimiter);
        this.maxLength = positive(maxLength, "maximum frame length");
    }

    private static int[] fallbacks(byte[] pattern) {
        int[] table = new int[pattern.length];
        for (int i = 1, k = 0; i < pattern.length; i++) {
            while (k > 0 && pattern[i] != pattern[k]) {
                k = table[k - 1];
            }
            if (pattern[i] == pattern[k]) {
                k++;
            }
            table[i] = k;
        }
        return table;
    }

    @Override
    public int scan(ByteBuffer buffer, int from, int to) throws FrameTooLongException {
        for (int i = from; i < to; i++) {
            byte b = buffer.get(i);
            while (matched > 0 && delimiter[matched] != b) {
                matched = fallback[matched - 1];
            }
            if (delimiter[matched] == b) {
                matched++;
            }
            seen++;
            if (matched == delimiter.length) {
                seen = 0;
                matched = 0;
                return i + 1;
            }
            if (seen - matched > maxLength) {
                throw new FrameTooLongException("frame longer than " + maxLength + " bytes before its delimiter", maxLength);
            }
        }
        return -1;
    }

    @Override
    public void trim(ByteBuffer frame) {
        frame.limit(frame.limit() - delimiter.length);
    }

    @Override
    public long expectedLength() {
        return -1;
    }

    @Override
    public int maxWireLength() {
        return (int) Math.min(Integer.MAX_VALUE, (long) maxLength + delimiter.length);
    }
}
