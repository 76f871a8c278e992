package dev.socketserver.internal.proxy;

import java.nio.ByteBuffer;

/** Peer bytes made safe to put in a message or a log line. Stateless. */
final class Escaping {
    private Escaping() {
    }

    /**
     * At most {@code max} of the {@code length} bytes at {@code offset}: printable ASCII as itself,
     * a backslash as {@code \\}, everything else as {@code \xNN}, and {@code ...} if cut short.
     */
    static String bytes(byte[] bytes, int offset, int length, int max) {
        return bytes(ByteBuffer.wrap(bytes), offset, length, max);
    }

    /** As {@link #bytes(byte[], int, int, int)}, reading {@code buffer} by absolute index. */
    static String bytes(ByteBuffer buffer, int offset, int length, int max) {
        StringBuilder out = new StringBuilder(Math.min(length, max) + 8);
        int shown = Math.min(length, max);
        for (int i = 0; i < shown; i++) {
            int b = buffer.get(offset + i) & 0xFF;
            if (b == '\\') {
                out.append("\\\\");
            } else if (b >= 0x20 && b < 0x7F) {
                out.append((char) b);
            } else {
                out.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            }
        }
        if (shown < length) {
            out.append("...");
        }
        return out.toString();
    }

    /** As {@link #bytes(byte[], int, int, int)} for text whose chars are bytes (ISO-8859-1). */
    static String text(String latin1, int max) {
        byte[] bytes = new byte[latin1.length()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) latin1.charAt(i);
        }
        return bytes(bytes, 0, bytes.length, max);
    }
}
