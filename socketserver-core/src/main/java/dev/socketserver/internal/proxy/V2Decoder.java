package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyHeader.Command;
import dev.socketserver.internal.proxy.ProxyHeader.Family;
import dev.socketserver.internal.proxy.ProxyHeader.Transport;
import dev.socketserver.internal.proxy.ProxyHeaderParser.Complete;
import dev.socketserver.internal.proxy.ProxyHeaderParser.NeedMore;
import dev.socketserver.internal.proxy.ProxyHeaderParser.Result;
import dev.socketserver.internal.proxy.ProxyProtocolException.Reason;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The v2 binary header (spec section 2.2): a 16-byte fixed part (signature, version and command,
 * family and transport, a big-endian u16 length), then exactly that many bytes of addresses and TLVs.
 * Stateless.
 *
 * <p>It checks the fixed part as its bytes arrive, then asks for exactly the declared rest. TLVs are
 * decoded in a loop, never by recursion, and the SSL TLV's sub-TLVs one level deep only.
 */
final class V2Decoder {
    static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    static final int INET_BLOCK = 2 * 4 + 2 * 2;
    static final int INET6_BLOCK = 2 * 16 + 2 * 2;
    static final int UNIX_BLOCK = 2 * ProxyUnixAddress.LENGTH;
    private static final int FIXED = ProxyHeaderParser.V2_FIXED_LENGTH;
    private static final int SSL_FIXED = 1 + 4;
    private static final Family[] FAMILIES = Family.values();
    private static final Transport[] TRANSPORTS = Transport.values();

    private V2Decoder() {
    }

    static Result scan(ByteBuffer bytes, int start, int available, boolean accepted, int maxLength)
            throws ProxyProtocolException {
        int known = Math.min(available, SIGNATURE.length);
        for (int i = 0; i < known; i++) {
            if (bytes.get(start + i) != SIGNATURE[i]) {
                throw new ProxyProtocolException(Reason.BAD_SIGNATURE, "the header starts with CR but not with the v2 signature: "
                        + "\"" + Escaping.bytes(bytes, start, available, 16) + "\"");
            }
        }
        if (available <= SIGNATURE.length) {
            return new NeedMore(FIXED - available);
        }
        int versionCommand = bytes.get(start + 12) & 0xFF;
        if (versionCommand >> 4 != 2) {
            throw new ProxyProtocolException(Reason.UNSUPPORTED_VERSION,
                    "v2 signature followed by version " + (versionCommand >> 4) + "; only version 2 exists");
        }
        if (!accepted) {
            throw new ProxyProtocolException(Reason.UNSUPPORTED_VERSION,
                    "a v2 (binary) PROXY header, but this listener accepts only v1");
        }
        int command = versionCommand & 0x0F;
        if (command > 1) {
            throw new ProxyProtocolException(Reason.BAD_COMMAND, "v2 command " + command + " is neither LOCAL (0) nor PROXY (1)");
        }
        if (available < 14) {
            return new NeedMore(FIXED - available);
        }
        int familyTransport = bytes.get(start + 13) & 0xFF;
        if (familyTransport >> 4 >= FAMILIES.length || (familyTransport & 0x0F) >= TRANSPORTS.length) {
            throw new ProxyProtocolException(Reason.BAD_FAMILY, "v2 family and transport byte 0x%02x is not defined (family 0 to 3, transport 0 to 2)"
                    .formatted(familyTransport));
        }
        Family family = FAMILIES[familyTransport >> 4];
        Transport transport = TRANSPORTS[familyTransport & 0x0F];
        if (available < FIXED) {
            return new NeedMore(FIXED - available);
        }
        int length = (bytes.get(start + 14) & 0xFF) << 8 | (bytes.get(start + 15) & 0xFF);
        int total = FIXED + length;
        if (total > maxLength) {
            throw new ProxyProtocolException(Reason.TOO_LONG,
                    "v2 header declares " + total + " bytes, over this listener's limit of " + maxLength);
        }
        int block = command == 1 ? addressBlock(family, transport) : 0;
        if (length < block) {
            throw new ProxyProtocolException(Reason.MALFORMED_ADDRESS, "v2 header declares " + length
                    + " bytes after the fixed part, fewer than the " + block + "-byte address block of " + family + "/" + transport);
        }
        if (available < total) {
            return new NeedMore(total - available);
        }
        if (command == 0 || block == 0) {
            // LOCAL: "discard the protocol block including the family" (2.2). UNSPEC: "ignore address information".
            return new Complete(new ProxyHeader(2, command == 0 ? Command.LOCAL : Command.PROXY, family, transport,
                    null, null, List.of()), total);
        }
        int at = start + FIXED;
        SocketAddress source;
        SocketAddress destination;
        if (family == Family.UNIX) {
            source = new ProxyUnixAddress(copy(bytes, at, ProxyUnixAddress.LENGTH));
            destination = new ProxyUnixAddress(copy(bytes, at + ProxyUnixAddress.LENGTH, ProxyUnixAddress.LENGTH));
        } else {
            int width = family == Family.INET ? 4 : 16;
            InetAddress sourceAddress = inetAddress(copy(bytes, at, width));
            InetAddress destinationAddress = inetAddress(copy(bytes, at + width, width));
            source = new InetSocketAddress(sourceAddress, u16(bytes, at + 2 * width));
            destination = new InetSocketAddress(destinationAddress, u16(bytes, at + 2 * width + 2));
        }
        List<ProxyTlv> tlvs = tlvs(bytes, start, at + block, start + total);
        return new Complete(new ProxyHeader(2, Command.PROXY, family, transport, source, destination, tlvs), total);
    }

    /** The address block's size for a PROXY command, or 0 when the family or transport is UNSPEC. */
    private static int addressBlock(Family family, Transport transport) {
        if (transport == Transport.UNSPEC) {
            return 0;
        }
        return switch (family) {
            case UNSPEC -> 0;
            case INET -> INET_BLOCK;
            case INET6 -> INET6_BLOCK;
            case UNIX -> UNIX_BLOCK;
        };
    }

    /** Decodes the TLVs in [from, end), verifies a CRC32C over the header at [headerStart, end). */
    private static List<ProxyTlv> tlvs(ByteBuffer bytes, int headerStart, int from, int end) throws ProxyProtocolException {
        List<ProxyTlv> tlvs = new ArrayList<>();
        int checksumAt = -1;
        for (int at = from; at < end; ) {
            if (end - at < 3) {
                throw new ProxyProtocolException(Reason.BAD_TLV, "v2 header ends " + (end - at)
                        + " byte(s) into a TLV; a TLV needs at least 3 (type and length)");
            }
            int type = bytes.get(at) & 0xFF;
            int length = u16(bytes, at + 1);
            if (length > end - at - 3) {
                throw new ProxyProtocolException(Reason.BAD_TLV, "v2 TLV 0x%02x declares %d bytes but only %d remain in the header"
                        .formatted(type, length, end - at - 3));
            }
            if (type == ProxyTlv.CRC32C) {
                if (length != 4) {
                    throw new ProxyProtocolException(Reason.BAD_TLV, "v2 CRC32C TLV is " + length + " bytes, not 4");
                }
                if (checksumAt >= 0) {
                    throw duplicate(type);
                }
                checksumAt = at + 3;
            }
            tlvs.add(new ProxyTlv(type, copy(bytes, at + 3, length)));
            at += 3 + length;
        }
        if (checksumAt >= 0) {
            verifyChecksum(bytes, headerStart, checksumAt, end);
        }
        boolean[] seen = new boolean[256];
        for (ProxyTlv tlv : tlvs) {
            int type = tlv.type();
            switch (type) {
                case ProxyTlv.ALPN, ProxyTlv.AUTHORITY, ProxyTlv.UNIQUE_ID, ProxyTlv.SSL -> {
                    if (seen[type]) {
                        throw duplicate(type);
                    }
                    seen[type] = true;
                }
                default -> {
                }
            }
            if (type == ProxyTlv.UNIQUE_ID && tlv.length() > ProxyTlv.UNIQUE_ID_MAX_LENGTH) {
                throw new ProxyProtocolException(Reason.BAD_TLV, "v2 UNIQUE_ID TLV is " + tlv.length()
                        + " bytes, over the spec's " + ProxyTlv.UNIQUE_ID_MAX_LENGTH);
            }
            if (type == ProxyTlv.SSL) {
                decodeSsl(tlv.value());
            }
        }
        return tlvs;
    }

    private static ProxyProtocolException duplicate(int type) {
        return new ProxyProtocolException(Reason.BAD_TLV, "v2 TLV 0x%02x appears twice; it may appear once".formatted(type));
    }

    private static void verifyChecksum(ByteBuffer bytes, int start, int checksumAt, int end) throws ProxyProtocolException {
        CRC32C crc = new CRC32C();
        crc.update(bytes.slice(start, checksumAt - start));
        crc.update(new byte[4]);
        crc.update(bytes.slice(checksumAt + 4, end - checksumAt - 4));
        long sent = (long) u16(bytes, checksumAt) << 16 | u16(bytes, checksumAt + 2);
        if (crc.getValue() != sent) {
            throw new ProxyProtocolException(Reason.BAD_CHECKSUM,
                    "v2 CRC32C TLV says %08x but the header's CRC32C is %08x".formatted(sent, crc.getValue()));
        }
    }

    /** Decodes the value of an SSL TLV: flags, verify, then sub-TLVs that exactly fill the rest. */
    static ProxySslInfo decodeSsl(byte[] value) throws ProxyProtocolException {
        if (value.length < SSL_FIXED) {
            throw new ProxyProtocolException(Reason.BAD_TLV,
                    "v2 SSL TLV is " + value.length + " bytes, fewer than its 5-byte client and verify fields");
        }
        ByteBuffer bytes = ByteBuffer.wrap(value);
        int client = value[0] & 0xFF;
        long verify = (long) u16(bytes, 1) << 16 | u16(bytes, 3);
        List<ProxyTlv> subTlvs = new ArrayList<>();
        boolean[] seen = new boolean[256];
        for (int at = SSL_FIXED; at < value.length; ) {
            if (value.length - at < 3) {
                throw new ProxyProtocolException(Reason.BAD_TLV, "v2 SSL TLV ends " + (value.length - at)
                        + " byte(s) into a sub-TLV; a sub-TLV needs at least 3");
            }
            int type = value[at] & 0xFF;
            int length = u16(bytes, at + 1);
            if (length > value.length - at - 3) {
                throw new ProxyProtocolException(Reason.BAD_TLV, "v2 SSL sub-TLV 0x%02x declares %d bytes but only %d remain in the SSL TLV"
                        .formatted(type, length, value.length - at - 3));
            }
            if (type >= ProxyTlv.SSL_VERSION && type <= ProxyTlv.SSL_KEY_ALG) {
                if (seen[type]) {
                    throw new ProxyProtocolException(Reason.BAD_TLV,
                            "v2 SSL sub-TLV 0x%02x appears twice; it may appear once".formatted(type));
                }
                seen[type] = true;
            }
            subTlvs.add(new ProxyTlv(type, copy(bytes, at + 3, length)));
            at += 3 + length;
        }
        return new ProxySslInfo(client, verify, subTlvs);
    }

    /**
     * An address from 4 or 16 raw bytes, with no name lookup. Sixteen bytes always make an
     * {@link Inet6Address}, even IPv4-mapped ones, which {@link InetAddress#getByAddress(byte[])}
     * would turn into IPv4.
     */
    static InetAddress inetAddress(byte[] raw) {
        try {
            return raw.length == 4 ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    private static int u16(ByteBuffer bytes, int at) {
        return (bytes.get(at) & 0xFF) << 8 | (bytes.get(at + 1) & 0xFF);
    }

    private static byte[] copy(ByteBuffer bytes, int at, int length) {
        byte[] out = new byte[length];
        bytes.get(at, out);
        return out;
    }
}
