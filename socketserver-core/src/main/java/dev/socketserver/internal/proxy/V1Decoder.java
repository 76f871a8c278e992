package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyHeader.Command;
import dev.socketserver.internal.proxy.ProxyHeader.Family;
import dev.socketserver.internal.proxy.ProxyHeader.Transport;
import dev.socketserver.internal.proxy.ProxyHeaderParser.Complete;
import dev.socketserver.internal.proxy.ProxyHeaderParser.NeedMore;
import dev.socketserver.internal.proxy.ProxyHeaderParser.Result;
import dev.socketserver.internal.proxy.ProxyProtocolException.Reason;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The v1 text line (spec section 2.1): {@code PROXY TCP4|TCP6 src dst sport dport\r\n}, or
 * {@code PROXY UNKNOWN ...\r\n}, at most 107 bytes with the CRLF. Stateless.
 *
 * <p>It asks for one byte at a time, because only the CRLF says where the line ends, and it rejects
 * as soon as the bytes so far cannot become a valid line: a LF without CR, a CR followed by anything
 * but LF, or 106 bytes without a CR (the CRLF would no longer fit in 107).
 */
final class V1Decoder {
    static final byte[] SIGNATURE = {'P', 'R', 'O', 'X', 'Y', ' '};
    /** The last index where the CR of a 107-byte line can be. */
    private static final int LAST_CR = ProxyHeaderParser.V1_MAX_LENGTH - 2;

    private V1Decoder() {
    }

    static Result scan(ByteBuffer bytes, int start, int available, boolean accepted) throws ProxyProtocolException {
        int known = Math.min(available, SIGNATURE.length);
        for (int i = 0; i < known; i++) {
            if (bytes.get(start + i) != SIGNATURE[i]) {
                throw new ProxyProtocolException(Reason.BAD_SIGNATURE, "the header starts with 'P' but not with \"PROXY \": \""
                        + Escaping.bytes(bytes, start, available, 16) + "\"");
            }
        }
        if (available < SIGNATURE.length) {
            return new NeedMore(1);
        }
        if (!accepted) {
            throw new ProxyProtocolException(Reason.UNSUPPORTED_VERSION,
                    "a v1 (text) PROXY header, but this listener accepts only v2");
        }
        // The CR can be at most the 106th byte (index 105), so the LF is at most the 107th. Nothing past
        // index 105 is looked at before that CR: the verdict must not depend on how much has arrived.
        int scanned = Math.min(available, LAST_CR + 1);
        for (int i = SIGNATURE.length; i < scanned; i++) {
            byte c = bytes.get(start + i);
            if (c == '\n') {
                throw new ProxyProtocolException(Reason.MALFORMED_LINE, "v1 line has a LF without a CR at byte " + i
                        + ": \"" + Escaping.bytes(bytes, start, i + 1, 120) + "\"");
            }
            if (c == '\r') {
                if (i + 1 == available) {
                    return new NeedMore(1);
                }
                if (bytes.get(start + i + 1) != '\n') {
                    throw new ProxyProtocolException(Reason.MALFORMED_LINE, "v1 line has a CR not followed by LF at byte " + i
                            + ": \"" + Escaping.bytes(bytes, start, i + 2, 120) + "\"");
                }
                return new Complete(decodeLine(latin1(bytes, start, i)), i + 2);
            }
        }
        if (available > LAST_CR) {
            throw tooLong();
        }
        return new NeedMore(1);
    }

    private static ProxyProtocolException tooLong() {
        return new ProxyProtocolException(Reason.TOO_LONG,
                "v1 line has no CRLF within " + ProxyHeaderParser.V1_MAX_LENGTH + " bytes");
    }

    private static String latin1(ByteBuffer bytes, int start, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) (bytes.get(start + i) & 0xFF);
        }
        return new String(chars);
    }

    /** Decodes the line without its CRLF; it starts with "PROXY ". */
    private static ProxyHeader decodeLine(String line) throws ProxyProtocolException {
        String rest = line.substring(SIGNATURE.length);
        if (rest.startsWith("UNKNOWN") && (rest.length() == 7 || rest.charAt(7) == ' ')) {
            // Section 2.1: "the receiver must ignore anything presented before the CRLF is found".
            return new ProxyHeader(1, Command.PROXY, Family.UNSPEC, Transport.UNSPEC, null, null, List.of());
        }
        String[] fields = rest.split(" ", -1);
        Family family = switch (fields[0]) {
            case "TCP4" -> Family.INET;
            case "TCP6" -> Family.INET6;
            case "" -> throw new ProxyProtocolException(Reason.MALFORMED_LINE,
                    "v1 line has more than one space after PROXY: \"" + Escaping.text(line, 120) + "\"");
            default -> throw new ProxyProtocolException(Reason.BAD_FAMILY, "v1 protocol \"" + Escaping.text(fields[0], 16)
                    + "\" is not TCP4, TCP6 or UNKNOWN");
        };
        if (fields.length != 5) {
            throw new ProxyProtocolException(Reason.MALFORMED_LINE, "v1 " + fields[0] + " line has " + (fields.length - 1)
                    + " fields after the protocol, not 4 (source, destination, source port, destination port): \""
                    + Escaping.text(line, 120) + "\"");
        }
        for (int i = 1; i < fields.length; i++) {
            if (fields[i].isEmpty()) {
                throw new ProxyProtocolException(Reason.MALFORMED_LINE,
                        "v1 line has an empty field (two spaces in a row, or a space before the CRLF): \""
                                + Escaping.text(line, 120) + "\"");
            }
        }
        InetAddress source = address(fields[1], family, "source");
        InetAddress destination = address(fields[2], family, "destination");
        int sourcePort = port(fields[3], "source");
        int destinationPort = port(fields[4], "destination");
        return new ProxyHeader(1, Command.PROXY, family, Transport.STREAM,
                new InetSocketAddress(source, sourcePort), new InetSocketAddress(destination, destinationPort), List.of());
    }

    private static InetAddress address(String text, Family family, String which) throws ProxyProtocolException {
        byte[] raw = family == Family.INET ? AddressLiterals.ipv4(text) : AddressLiterals.ipv6(text);
        if (raw == null) {
            throw new ProxyProtocolException(Reason.MALFORMED_ADDRESS, "v1 " + which + " address \"" + Escaping.text(text, 48)
                    + "\" is not an " + (family == Family.INET ? "IPv4 address in dotted decimal without leading zeros (TCP4)"
                    : "IPv6 address (TCP6)"));
        }
        return V2Decoder.inetAddress(raw);
    }

    private static int port(String text, String which) throws ProxyProtocolException {
        int port = AddressLiterals.port(text);
        if (port < 0) {
            throw new ProxyProtocolException(Reason.BAD_PORT, "v1 " + which + " port \"" + Escaping.text(text, 16)
                    + "\" is not a decimal number from 0 to 65535 without leading zeros");
        }
        return port;
    }
}
