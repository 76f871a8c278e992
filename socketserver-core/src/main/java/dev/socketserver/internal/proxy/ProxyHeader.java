package dev.socketserver.internal.proxy;

import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One parsed PROXY protocol header: who the proxy says the client and the server are, and for v2 the
 * TLVs it attached.
 *
 * <p>{@link #source()} and {@link #destination()} are set only when the proxy relayed a connection
 * whose addresses it could state: they are {@code null} for a v2 {@code LOCAL} (a health check from
 * the proxy itself), for v1 {@code UNKNOWN}, and for a v2 family or transport of {@code UNSPEC}. In
 * those cases the spec says to use the real peer, as if there were no header; {@link #hasAddresses()}
 * says which case this is. For INET and INET6 the addresses are {@link java.net.InetSocketAddress}es
 * built without any name lookup, and an INET6 address stays an {@link java.net.Inet6Address} even when
 * it is IPv4-mapped. For UNIX they are {@link ProxyUnixAddress}es.
 *
 * <p>TLVs are parsed for a v2 PROXY header with INET, INET6 or UNIX addresses; for LOCAL and UNSPEC
 * the bytes after the fixed part are skipped by length, unread, as the spec asks. TLV values are raw
 * bytes (see {@link ProxyTlv}); the accessors below return copies.
 *
 * <p>Immutable and thread-safe.
 *
 * @param version     1 (text) or 2 (binary)
 * @param command     {@link Command#PROXY}, or {@link Command#LOCAL} (v2 only)
 * @param family      the address family as declared; v1 TCP4 is INET, TCP6 is INET6, UNKNOWN is UNSPEC
 * @param transport   the transport as declared; v1 TCP4 and TCP6 are STREAM, UNKNOWN is UNSPEC
 * @param source      the client's address, or {@code null} (see above)
 * @param destination the address the client connected to, or {@code null} exactly when {@code source} is
 * @param tlvs        the v2 TLVs in the order sent, CRC32C and NOOP included; empty for v1
 */
public record ProxyHeader(int version, Command command, Family family, Transport transport,
                          SocketAddress source, SocketAddress destination, List<ProxyTlv> tlvs) {

    /** The v2 command (the low nibble of byte 13). v1 headers are always {@link #PROXY}. */
    public enum Command {
        /** The proxy opened this connection itself (a health check): use the real peer. */
        LOCAL,
        /** The proxy relays a client's connection: the header's addresses are the client's. */
        PROXY
    }

    /** The address family (the high nibble of v2 byte 14). */
    public enum Family {
        /** Unknown or unsupported: no addresses. */
        UNSPEC,
        /** IPv4: 4-byte addresses and ports. */
        INET,
        /** IPv6: 16-byte addresses and ports. */
        INET6,
        /** Unix domain: 108-byte paths. */
        UNIX
    }

    /** The transport (the low nibble of v2 byte 14). */
    public enum Transport {
        /** Unknown or unsupported. */
        UNSPEC,
        /** SOCK_STREAM: TCP or a Unix stream. */
        STREAM,
        /** SOCK_DGRAM: UDP or a Unix datagram. */
        DGRAM
    }

    /**
     * @throws IllegalArgumentException if the version is not 1 or 2, only one address is given, or a v1
     *                                  header is LOCAL or has TLVs
     */
    public ProxyHeader {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(transport, "transport");
        tlvs = List.copyOf(tlvs);
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("PROXY protocol version must be 1 or 2, got " + version);
        }
        if ((source == null) != (destination == null)) {
            throw new IllegalArgumentException("source and destination must both be set or both be null");
        }
        if (version == 1 && (command == Command.LOCAL || !tlvs.isEmpty())) {
            throw new IllegalArgumentException("a v1 header has no LOCAL command and no TLVs");
        }
    }

    /**
     * Whether the header states the client's addresses. When it does not (LOCAL, UNKNOWN, UNSPEC),
     * the connection's real peer and local addresses are the ones to use.
     */
    public boolean hasAddresses() {
        return source != null;
    }

    /** The first TLV of {@code type}, if any. */
    public Optional<ProxyTlv> tlv(int type) {
        for (ProxyTlv tlv : tlvs) {
            if (tlv.type() == type) {
                return Optional.of(tlv);
            }
        }
        return Optional.empty();
    }

    /** The ALPN TLV's value (0x01), such as {@code h2}, as bytes. */
    public Optional<byte[]> alpn() {
        return tlv(ProxyTlv.ALPN).map(ProxyTlv::value);
    }

    /** The AUTHORITY TLV's value (0x02): the host name the client asked for (often TLS SNI), UTF-8, as bytes. */
    public Optional<byte[]> authority() {
        return tlv(ProxyTlv.AUTHORITY).map(ProxyTlv::value);
    }

    /** The UNIQUE_ID TLV's value (0x05): an opaque id of at most 128 bytes. */
    public Optional<byte[]> uniqueId() {
        return tlv(ProxyTlv.UNIQUE_ID).map(ProxyTlv::value);
    }

    /**
     * The SSL TLV (0x20), decoded. A header from {@link ProxyHeaderParser} has a well-formed one if any.
     *
     * @throws IllegalStateException if this header was built by hand with a malformed SSL TLV
     */
    public Optional<ProxySslInfo> ssl() {
        return tlv(ProxyTlv.SSL).map(tlv -> {
            try {
                return V2Decoder.decodeSsl(tlv.value());
            } catch (ProxyProtocolException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }
}
