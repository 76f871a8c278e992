package dev.socketserver;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * What a load balancer said about a connection in its PROXY protocol header (HAProxy's v1 text or
 * v2 binary form), from {@link Connection#proxyInfo()}. The connection's
 * {@link Connection#clientAddress()} is already the {@code source} here; this record keeps the
 * rest: the address the client connected to, and v2's TLVs.
 *
 * @param version 1 or 2
 * @param source the real client, or {@code null} when the header carried no addresses (a health
 *     check's LOCAL command, or v1's UNKNOWN)
 * @param destination the address the client connected to at the load balancer, or {@code null}
 * @param tlvs the v2 type-length-value fields by type (empty for v1); arrays are copies
 */
public record ProxyInfo(int version, SocketAddress source, SocketAddress destination, Map<Integer, byte[]> tlvs) {
    /** PP2_TYPE_ALPN. */
    public static final int ALPN = 0x01;
    /** PP2_TYPE_AUTHORITY: the host name the client asked for (SNI). */
    public static final int AUTHORITY = 0x02;
    /** PP2_TYPE_UNIQUE_ID. */
    public static final int UNIQUE_ID = 0x05;
    /** PP2_TYPE_SSL: whether and how the client used TLS to the load balancer. */
    public static final int SSL = 0x20;

    /** Copies {@code tlvs}, so the record cannot change. */
    public ProxyInfo {
        tlvs = Map.copyOf(tlvs);
    }

    /** The application protocol the client negotiated with the load balancer, such as {@code h2}. */
    public Optional<String> alpn() {
        return text(ALPN);
    }

    /** The host name the client asked the load balancer for. */
    public Optional<String> authority() {
        return text(AUTHORITY);
    }

    /** The load balancer's id for this connection (up to 128 bytes). */
    public Optional<byte[]> uniqueId() {
        return tlv(UNIQUE_ID);
    }

    /** The raw SSL TLV: client flags, verify result and sub-TLVs, as HAProxy's spec lays them out. */
    public Optional<byte[]> ssl() {
        return tlv(SSL);
    }

    /** Any TLV by type. */
    public Optional<byte[]> tlv(int type) {
        byte[] value = tlvs.get(type);
        return value == null ? Optional.empty() : Optional.of(value.clone());
    }

    private Optional<String> text(int type) {
        return tlv(type).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }
}
