package dev.socketserver.redis.internal;

/**
 * Redis's glob patterns (KEYS): {@code *} any bytes, {@code ?} one byte, {@code [abc]} one of,
 * {@code [^a]} none of, {@code [a-z]} a range, {@code \x} the byte x itself. Bytes, not characters;
 * a class left open at the end of the pattern is closed there, as Redis does.
 */
final class Glob {
    private Glob() {
    }

    static boolean matches(byte[] pattern, byte[] text) {
        int p = 0;
        int t = 0;
        int starP = -1;   // where the pattern resumes after the last '*'
        int starT = 0;    // the text position that '*' has swallowed up to
        while (t < text.length) {
            if (p < pattern.length && pattern[p] == '*') {
                while (p < pattern.length && pattern[p] == '*') {
                    p++;
                }
                if (p == pattern.length) {
                    return true;
                }
                starP = p;
                starT = t;
                continue;
            }
            int next = p < pattern.length ? matchOne(pattern, p, text[t]) : -1;
            if (next >= 0) {
                p = next;
                t++;
            } else if (starP >= 0) {
                p = starP;
                t = ++starT;
            } else {
                return false;
            }
        }
        while (p < pattern.length && pattern[p] == '*') {
            p++;
        }
        return p == pattern.length;
    }

    /** Matches the single-byte token at {@code p} against {@code c}: the position after the token, or -1. */
    private static int matchOne(byte[] pattern, int p, byte c) {
        byte b = pattern[p];
        if (b == '?') {
            return p + 1;
        }
        if (b == '\\' && p + 1 < pattern.length) {
            return pattern[p + 1] == c ? p + 2 : -1;
        }
        if (b != '[') {
            return b == c ? p + 1 : -1;
        }
        int i = p + 1;
        boolean negate = i < pattern.length && pattern[i] == '^';
        if (negate) {
            i++;
        }
        boolean match = false;
        while (i < pattern.length && pattern[i] != ']') {
            if (pattern[i] == '\\' && i + 1 < pattern.length) {
                i++;
                match |= pattern[i] == c;
                i++;
            } else if (i + 2 < pattern.length && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
                int from = pattern[i] & 0xff;
                int to = pattern[i + 2] & 0xff;
                if (from > to) {
                    int swap = from;
                    from = to;
                    to = swap;
                }
                int ch = c & 0xff;
                match |= ch >= from && ch <= to;
                i += 3;
            } else {
                match |= pattern[i] == c;
                i++;
            }
        }
        int after = i < pattern.length ? i + 1 : i;   // past the ']', or the end of an open class
        return match != negate ? after : -1;
    }
}
