package dev.socketserver.internal.proxy;

import java.util.List;
import java.util.Optional;

/**
 * The decoded value of a v2 {@link ProxyTlv#SSL} TLV (spec section 2.2.6): how the client reached the
 * proxy over TLS.
 *
 * <p>The value is a client-flags byte, a 32-bit verify result, then sub-TLVs. The sub-TLVs are one
 * level deep and are never decoded further: a sub-TLV of type {@code SSL} is kept as raw bytes, so no
 * nesting, however deep, makes the parser recurse (Netty CVE-2022-41881).
 *
 * <p>Immutable.
 *
 * @param client  the client-flags byte: {@link #CLIENT_SSL}, {@link #CLIENT_CERT_CONN}, {@link #CLIENT_CERT_SESS}
 * @param verify  the verify result as an unsigned 32-bit number: 0 when a client certificate was verified
 * @param subTlvs the sub-TLVs in the order they were sent
 */
public record ProxySslInfo(int client, long verify, List<ProxyTlv> subTlvs) {
    /** The client connected over SSL/TLS. */
    public static final int CLIENT_SSL = 0x01;
    /** The client presented a certificate on this connection. */
    public static final int CLIENT_CERT_CONN = 0x02;
    /** The client presented a certificate at least once in this TLS session. */
    public static final int CLIENT_CERT_SESS = 0x04;

    /**
     * @throws IllegalArgumentException if {@code client} is not a byte or {@code verify} not an unsigned 32-bit value
     */
    public ProxySslInfo {
        if (client < 0 || client > 0xFF) {
            throw new IllegalArgumentException("client flags must be 0 to 255, got " + client);
        }
        if (verify < 0 || verify > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("verify must be an unsigned 32-bit value, got " + verify);
        }
        subTlvs = List.copyOf(subTlvs);
    }

    /** Whether the client connected to the proxy over SSL/TLS. */
    public boolean clientSsl() {
        return (client & CLIENT_SSL) != 0;
    }

    /** Whether the client presented a certificate on this connection. */
    public boolean clientCertConnection() {
        return (client & CLIENT_CERT_CONN) != 0;
    }

    /** Whether the client presented a certificate at least once in its TLS session. */
    public boolean clientCertSession() {
        return (client & CLIENT_CERT_SESS) != 0;
    }

    /**
     * Whether the client presented a certificate (on this connection or in this session) and the proxy
     * verified it. A zero {@code verify} alone does not mean that: it is also zero when there was no
     * certificate.
     */
    public boolean certificateVerified() {
        return (clientCertConnection() || clientCertSession()) && verify == 0;
    }

    /** The first sub-TLV of {@code type}, if any. */
    public Optional<ProxyTlv> subTlv(int type) {
        for (ProxyTlv tlv : subTlvs) {
            if (tlv.type() == type) {
                return Optional.of(tlv);
            }
        }
        return Optional.empty();
    }

    /** The TLS version ({@link ProxyTlv#SSL_VERSION}), US-ASCII such as {@code TLSv1.3}, as bytes. */
    public Optional<byte[]> version() {
        return subTlv(ProxyTlv.SSL_VERSION).map(ProxyTlv::value);
    }

    /** The client certificate's common name ({@link ProxyTlv#SSL_CN}), UTF-8, as bytes. */
    public Optional<byte[]> commonName() {
        return subTlv(ProxyTlv.SSL_CN).map(ProxyTlv::value);
    }

    /** The cipher ({@link ProxyTlv#SSL_CIPHER}), US-ASCII, as bytes. */
    public Optional<byte[]> cipher() {
        return subTlv(ProxyTlv.SSL_CIPHER).map(ProxyTlv::value);
    }

    /** The algorithm that signed the proxy's certificate ({@link ProxyTlv#SSL_SIG_ALG}), as bytes. */
    public Optional<byte[]> signatureAlgorithm() {
        return subTlv(ProxyTlv.SSL_SIG_ALG).map(ProxyTlv::value);
    }

    /** The algorithm of the proxy certificate's key ({@link ProxyTlv#SSL_KEY_ALG}), as bytes. */
    public Optional<byte[]> keyAlgorithm() {
        return subTlv(ProxyTlv.SSL_KEY_ALG).map(ProxyTlv::value);
    }
}
