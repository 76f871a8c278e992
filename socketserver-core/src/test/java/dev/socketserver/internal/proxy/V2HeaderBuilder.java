package dev.socketserver.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** Builds v2 headers byte by byte, valid or deliberately not, for tests. Not thread-safe. */
final class V2HeaderBuilder {
    static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private int versionCommand = 0x21;
    private int familyTransport = 0x00;
    private byte[] addresses = new byte[0];
    private final ByteArrayOutputStream tlvs = new ByteArrayOutputStream();
    private Integer declaredLength;
    private boolean checksum;
    private boolean corruptChecksum;

    /** A PROXY command with UNSPEC family; set addresses with one of the address methods. */
    static V2HeaderBuilder proxy() {
        return new V2HeaderBuilder();
    }

    /** A LOCAL command with UNSPEC family and no addresses. */
    static V2HeaderBuilder local() {
        return new V2HeaderBuilder().versionCommand(0x20);
    }

    V2HeaderBuilder versionCommand(int value) {
        versionCommand = value;
        return this;
    }

    V2HeaderBuilder familyTransport(int value) {
        familyTransport = value;
        return this;
    }

    /** TCP over IPv4 (0x11) with these addresses and ports. */
    V2HeaderBuilder tcp4(String source, int sourcePort, String destination, int destinationPort) {
        return inet(0x11, source, sourcePort, destination, destinationPort, 4);
    }

    /** UDP over IPv4 (0x12). */
    V2HeaderBuilder udp4(String source, int sourcePort, String destination, int destinationPort) {
        return inet(0x12, source, sourcePort, destination, destinationPort, 4);
    }

    /** TCP over IPv6 (0x21). */
    V2HeaderBuilder tcp6(String source, int sourcePort, String destination, int destinationPort) {
        return inet(0x21, source, sourcePort, destination, destinationPort, 16);
    }

    /** UDP over IPv6 (0x22). */
    V2HeaderBuilder udp6(String source, int sourcePort, String destination, int destinationPort) {
        return inet(0x22, source, sourcePort, destination, destinationPort, 16);
    }

    /** A Unix stream (0x31) between these two raw 108-byte addresses. */
    V2HeaderBuilder unixStream(byte[] source, byte[] destination) {
        familyTransport = 0x31;
        addresses = ByteBuffer.allocate(216).put(source).put(destination).array();
        return this;
    }

    /** The raw address block, whatever the family says. */
    V2HeaderBuilder addressBlock(byte[] block) {
        addresses = block.clone();
        return this;
    }

    V2HeaderBuilder tlv(int type, byte[] value) {
        tlvs.write(type);
        tlvs.write(value.length >> 8);
        tlvs.write(value.length);
        tlvs.writeBytes(value);
        return this;
    }

    V2HeaderBuilder tlv(int type, String ascii) {
        return tlv(type, ascii.getBytes(StandardCharsets.UTF_8));
    }

    /** Raw bytes after the address block and TLVs, such as a broken TLV. */
    V2HeaderBuilder raw(byte[] bytes) {
        tlvs.writeBytes(bytes);
        return this;
    }

    /** Appends a CRC32C TLV, filled in by {@link #build()} with the header's checksum. */
    V2HeaderBuilder crc32c() {
        checksum = true;
        return this;
    }

    /** Appends a CRC32C TLV whose value is off by one. */
    V2HeaderBuilder wrongCrc32c() {
        checksum = true;
        corruptChecksum = true;
        return this;
    }

    /** Declares this length in bytes 15-16 instead of the real one. */
    V2HeaderBuilder declaredLength(int length) {
        declaredLength = length;
        return this;
    }

    byte[] build() {
        int crcAt = -1;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(addresses);
        body.writeBytes(tlvs.toByteArray());
        if (checksum) {
            body.write(ProxyTlv.CRC32C);
            body.write(0);
            body.write(4);
            crcAt = 16 + body.size();
            body.writeBytes(new byte[4]);
        }
        int length = declaredLength != null ? declaredLength : body.size();
        ByteBuffer out = ByteBuffer.allocate(16 + body.size());
        out.put(SIGNATURE).put((byte) versionCommand).put((byte) familyTransport).putShort((short) length).put(body.toByteArray());
        byte[] bytes = out.array();
        if (crcAt >= 0) {
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            int value = (int) crc.getValue() + (corruptChecksum ? 1 : 0);
            ByteBuffer.wrap(bytes).putInt(crcAt, value);
        }
        return bytes;
    }

    /** An SSL TLV value: client flags, verify, then sub-TLVs given as type, value, type, value... */
    static byte[] sslValue(int client, int verify, Object... subTlvs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(client);
        out.writeBytes(ByteBuffer.allocate(4).putInt(verify).array());
        for (int i = 0; i < subTlvs.length; i += 2) {
            byte[] value = subTlvs[i + 1] instanceof byte[] b ? b : subTlvs[i + 1].toString().getBytes(StandardCharsets.UTF_8);
            out.write((Integer) subTlvs[i]);
            out.write(value.length >> 8);
            out.write(value.length);
            out.writeBytes(value);
        }
        return out.toByteArray();
    }

    /** A 108-byte AF_UNIX field holding {@code path} followed by NULs. */
    static byte[] unixPath(String path) {
        return padded(path.getBytes(StandardCharsets.UTF_8), 0);
    }

    /** A 108-byte AF_UNIX field for the abstract name {@code name}: a NUL, the name, NULs. */
    static byte[] unixAbstract(String name) {
        return padded(name.getBytes(StandardCharsets.UTF_8), 1);
    }

    private V2HeaderBuilder inet(int familyTransport, String source, int sourcePort, String destination,
                                 int destinationPort, int width) {
        this.familyTransport = familyTransport;
        addresses = ByteBuffer.allocate(2 * width + 4)
                .put(raw(source, width)).put(raw(destination, width))
                .putShort((short) sourcePort).putShort((short) destinationPort).array();
        return this;
    }

    /** The raw bytes of a literal, widened to 16 bytes as IPv4-mapped if {@code width} is 16. */
    static byte[] raw(String literal, int width) {
        try {
            byte[] raw = InetAddress.getByName(literal).getAddress();
            if (raw.length == width) {
                return raw;
            }
            if (raw.length == 4 && width == 16) {
                return ByteBuffer.allocate(16).put(10, (byte) 0xFF).put(11, (byte) 0xFF).put(12, raw).array();
            }
            throw new IllegalArgumentException(literal + " is not " + width + " bytes");
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static byte[] padded(byte[] name, int offset) {
        byte[] out = new byte[ProxyUnixAddress.LENGTH];
        System.arraycopy(name, 0, out, offset, name.length);
        return out;
    }
}
