package dev.socketserver;

import dev.socketserver.internal.proxy.TrustedNetworks;

import java.time.Duration;
import java.util.Objects;

/**
 * The PROXY protocol (v1 and v2, as HAProxy sends them) for a stream server, part of
 * {@link ServerOptions}: every connection must start with a header, and only from a load balancer
 * in the trusted networks. The real client then appears as the connection's client address, and
 * the header's TLVs in its {@link ProxyInfo}. Connections from elsewhere, and bad or late headers,
 * are closed before the handler or protocol runs, counted by reason and logged at most once a
 * second per reason. The header is read before any TLS handshake, never past its end (the bytes
 * after it are the handler's). On a Unix-stream server the networks are not checked: who may
 * connect is up to the socket file's permissions.
 *
 * @param trustedNetworks the load balancers' networks, as CIDRs separated by commas, such as
 *     {@code 10.0.0.0/8,192.168.1.0/24}; a plain address is a /32 or /128
 * @param headerDeadline how long a client has to send its header, counted from the accept (a
 *     deadline); default {@link #DEFAULT_HEADER_DEADLINE}
 */
public record ProxyProtocol(String trustedNetworks, Duration headerDeadline) {
    /** How long a client has to send its PROXY header unless told otherwise. */
    public static final Duration DEFAULT_HEADER_DEADLINE = Duration.ofSeconds(5);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if a network is not a CIDR or the deadline is not positive
     */
    public ProxyProtocol {
        TrustedNetworks.parse(Objects.requireNonNull(trustedNetworks, "trustedNetworks"));
        Objects.requireNonNull(headerDeadline, "headerDeadline");
        if (headerDeadline.isNegative() || headerDeadline.isZero()) {
            throw new IllegalArgumentException("PROXY header deadline must be positive, got " + headerDeadline);
        }
    }

    /** PROXY headers from {@code trustedNetworks}, with the default header deadline. */
    public static ProxyProtocol from(String trustedNetworks) {
        return new ProxyProtocol(trustedNetworks, DEFAULT_HEADER_DEADLINE);
    }

    /** These options with another header deadline. */
    public ProxyProtocol withHeaderDeadline(Duration deadline) {
        return new ProxyProtocol(trustedNetworks, deadline);
    }
}
