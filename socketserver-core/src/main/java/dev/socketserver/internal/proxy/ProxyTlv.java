package dev.socketserver.internal.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One type-length-value entry from the end of a v2 header (spec section 2.2), as raw bytes.
 *
 * <p>Values are bytes, never text: a peer can send anything, and treating invalid UTF-8 as text has
 * let headers bypass checks elsewhere (Envoy CVE-2024-23324). {@link #valueAsUtf8()} decodes
 * strictly and throws on bad input, so reading text is an explicit, checked choice.
 *
 * <p>Immutable: the value is copied in and copied out.
 *
 * @param type  the type byte, 0 to 255; the known ones are the constants of this class
 * @param value the value, at most 65,535 bytes
 */
public record ProxyTlv(int type, byte[] value) {
    /** PP2_TYPE_ALPN: the negotiated application protocol, such as {@code h2}. */
    public static final int ALPN = 0x01;
    /** PP2_TYPE_AUTHORITY: the host name the client asked for (TLS SNI, or another authority), UTF-8. */
    public static final int AUTHORITY = 0x02;
    /** PP2_TYPE_CRC32C: a CRC32C of the whole header; the parser verifies it. */
    public static final int CRC32C = 0x03;
    /** PP2_TYPE_NOOP: padding, to be ignored. */
    public static final int NOOP = 0x04;
    /** PP2_TYPE_UNIQUE_ID: an opaque connection id of at most {@value #UNIQUE_ID_MAX_LENGTH} bytes. */
    public static final int UNIQUE_ID = 0x05;
    /** PP2_TYPE_SSL: how the client reached the proxy over TLS; see {@link ProxySslInfo}. */
    public static final int SSL = 0x20;
    /** PP2_SUBTYPE_SSL_VERSION, inside {@link #SSL}: the TLS version, such as {@code TLSv1.3}. */
    public static final int SSL_VERSION = 0x21;
    /** PP2_SUBTYPE_SSL_CN, inside {@link #SSL}: the client certificate's common name, UTF-8. */
    public static final int SSL_CN = 0x22;
    /** PP2_SUBTYPE_SSL_CIPHER, inside {@link #SSL}: the cipher name, such as {@code ECDHE-RSA-AES128-GCM-SHA256}. */
    public static final int SSL_CIPHER = 0x23;
    /** PP2_SUBTYPE_SSL_SIG_ALG, inside {@link #SSL}: the algorithm that signed the proxy's certificate. */
    public static final int SSL_SIG_ALG = 0x24;
    /** PP2_SUBTYPE_SSL_KEY_ALG, inside {@link #SSL}: the algorithm of the proxy certificate's key. */
    public static final int SSL_KEY_ALG = 0x25;
    /** PP2_TYPE_NETNS: the name of the network namespace the connection arrived in. */
    public static final int NETNS = 0x30;
    /** The longest unique id the spec allows (section 2.2.5). */
    public static final int UNIQUE_ID_MAX_LENGTH = 128;

    /**
     * @throws IllegalArgumentException if {@code type} is not 0 to 255 or {@code value} is longer than 65,535 bytes
     */
    public ProxyTlv {
        if (type < 0 || type > 0xFF) {
            throw new IllegalArgumentException("TLV type must be 0 to 255, got " + type);
        }
        if (value.length > 0xFFFF) {
            throw new IllegalArgumentException("TLV value must be at most 65535 bytes, got " + value.length);
        }
        value = value.clone();
    }

    /** A copy of the value. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value's length in bytes, without copying it. */
    public int length() {
        return value.length;
    }

    /**
     * The value as UTF-8 text.
     *
     * @throws CharacterCodingException if the value is not valid UTF-8; nothing is replaced or guessed
     */
    public String valueAsUtf8() throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(value))
                .toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyTlv other && other.type == type && Arrays.equals(other.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    /**
     * The type and the value in hex, for example {@code ProxyTlv[0x01, 6832]}; never raw bytes, and
     * at most the first 64 bytes of a longer value.
     */
    @Override
    public String toString() {
        if (value.length <= 64) {
            return "ProxyTlv[0x%02x, %s]".formatted(type, HexFormat.of().formatHex(value));
        }
        return "ProxyTlv[0x%02x, %s... (%d bytes)]".formatted(type, HexFormat.of().formatHex(value, 0, 64), value.length);
    }
}
