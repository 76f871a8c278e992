package dev.socketserver.internal.proxy;

import java.util.Arrays;

/**
 * Strict IPv4 and IPv6 literal parsing, with no name lookup ever (unlike
 * {@link java.net.InetAddress#getByName}). Stateless.
 *
 * <p>IPv4 is exactly four decimal numbers 0 to 255 with single dots and no leading zeros (spec
 * section 2.1: leading zeros could be read as octal). IPv6 is what {@code inet_ntop} and
 * {@code inet_pton} agree on: eight groups of 1 to 4 hex digits, at most one {@code ::} standing for
 * one or more zero groups, and optionally a dotted IPv4 tail ({@code ::ffff:192.0.2.1}). No brackets
 * and no zone ids.
 */
final class AddressLiterals {
    private static final int IPV6_MAX_TEXT = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255".length();

    private AddressLiterals() {
    }

    /** The four bytes of an IPv4 literal, or {@code null} if {@code text} is not one. */
    static byte[] ipv4(String text) {
        byte[] out = new byte[4];
        int n = text.length();
        int i = 0;
        for (int part = 0; ; i++) {
            int start = i;
            int value = 0;
            while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                if (i - start == 3) {
                    return null;
                }
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || (digits > 1 && text.charAt(start) == '0') || value > 255) {
                return null;
            }
            out[part++] = (byte) value;
            if (part == 4) {
                return i == n ? out : null;
            }
            if (i >= n || text.charAt(i) != '.') {
                return null;
            }
        }
    }

    /** The sixteen bytes of an IPv6 literal, or {@code null} if {@code text} is not one. */
    static byte[] ipv6(String text) {
        int n = text.length();
        if (n < 2 || n > IPV6_MAX_TEXT) {
            return null;
        }
        byte[] out = new byte[16];
        int groups = 0;
        int gap = -1;
        int i = 0;
        if (text.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (text.charAt(0) == ':') {
            return null;
        }
        while (i < n) {
            if (groups == 8) {
                return null;
            }
            int start = i;
            int value = 0;
            int digit;
            while (i < n && (digit = Character.digit(text.charAt(i), 16)) >= 0 && text.charAt(i) < 0x80) {
                if (i - start == 4) {
                    return null;
                }
                value = (value << 4) | digit;
                i++;
            }
            if (i < n && text.charAt(i) == '.') {
                byte[] v4 = groups <= 6 ? ipv4(text.substring(start)) : null;
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, groups * 2, 4);
                groups += 2;
                break;
            }
            if (i == start) {
                return null;
            }
            out[groups * 2] = (byte) (value >> 8);
            out[groups * 2 + 1] = (byte) value;
            groups++;
            if (i == n) {
                break;
            }
            if (text.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && text.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = groups;
                i++;
            } else if (i == n) {
                return null;
            }
        }
        if (gap < 0) {
            return groups == 8 ? out : null;
        }
        if (groups == 8) {
            return null;
        }
        int tailBytes = (groups - gap) * 2;
        System.arraycopy(out, gap * 2, out, 16 - tailBytes, tailBytes);
        Arrays.fill(out, gap * 2, 16 - tailBytes, (byte) 0);
        return out;
    }

    /** A decimal port 0 to 65535 without sign or leading zeros, or -1 if {@code text} is not one. */
    static int port(String text) {
        int n = text.length();
        if (n == 0 || n > 5 || (n > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 0xFFFF ? value : -1;
    }

    /** Text for 4 or 16 address bytes: dotted decimal, or RFC 5952 IPv6 (lower case, longest zero run as {@code ::}). */
    static String format(byte[] raw) {
        if (raw.length == 4) {
            return (raw[0] & 0xFF) + "." + (raw[1] & 0xFF) + "." + (raw[2] & 0xFF) + "." + (raw[3] & 0xFF);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (raw[2 * i] & 0xFF) << 8 | (raw[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
