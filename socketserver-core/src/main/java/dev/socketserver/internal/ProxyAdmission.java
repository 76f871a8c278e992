package dev.socketserver.internal;

import dev.socketserver.ProxyInfo;
import dev.socketserver.ProxyProtocol;
import dev.socketserver.internal.proxy.ProxyHeader;
import dev.socketserver.internal.proxy.ProxyHeaderParser;
import dev.socketserver.internal.proxy.ProxyProtocolException;
import dev.socketserver.internal.proxy.TrustedNetworks;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The PROXY protocol's admission policy of both server families, in one place: the blocking
 * stream servers read the header from the connection's stream, the event loop from its reads, and
 * both ask here whom to admit, what a header gives the handler, and how to count and log a
 * connection turned away.
 *
 * <ul>
 *   <li>Only a peer in the trusted networks may send a header; every other peer is turned away
 *       ({@code untrusted}) before a byte is read. A peer that is not an IP address (a Unix
 *       socket) is not checked: who may connect is up to the socket file's permissions.</li>
 *   <li>The header must be complete within the header deadline, counted from the accept
 *       ({@code timeout}, which is counted as a timeout too), and at most {@value #MAX_HEADER}
 *       bytes long.</li>
 *   <li>A header that is not valid is turned away under the lower-case name of its
 *       {@link ProxyProtocolException.Reason} ({@code bad_signature}, {@code truncated}, ...);
 *       a connection that fails while its header is read, under {@code io}. These are the keys
 *       of {@code ServerStats.proxyRejectionsByReason()}.</li>
 *   <li>Each connection turned away is counted, and logged at {@code WARNING} on
 *       {@link Loggers#PROXY} at most once a second per reason, as
 *       {@code closing connection from <peer>: <why>}.</li>
 *   <li>A peer that closes without sending a byte is a TCP health check (a Kubernetes
 *       {@code tcpSocket} probe, a load balancer's connect check), not a bad header: it is
 *       logged at {@code DEBUG} only, and not counted as a rejection.</li>
 *   <li>Each header accepted is logged at {@code DEBUG} on {@link Loggers#PROXY}, as
 *       {@code connection from <peer>: PROXY v2 client <source> to <destination>} (or
 *       {@code PROXY v2 LOCAL} for the proxy's own connection, such as a health check), so that an
 *       operator can see whom the load balancer relays.</li>
 * </ul>
 *
 * <p>An instance belongs to one server and may be called from any thread; the settings are
 * volatile, read by the threads (or loops) that admit connections.
 */
public final class ProxyAdmission {
    /** How long a client has to send its PROXY header, unless set otherwise. */
    public static final Duration DEFAULT_HEADER_DEADLINE = ProxyProtocol.DEFAULT_HEADER_DEADLINE;
    /** The longest v2 header accepted (nginx allows the same). */
    public static final int MAX_HEADER = 4096;
    /** The parser both families read headers with. */
    public static final ProxyHeaderParser PARSER = ProxyHeaderParser.create().withMaxHeaderLength(MAX_HEADER);

    private static final System.Logger LOG = System.getLogger(Loggers.PROXY);

    private final ServerCounters counters;
    private final Map<String, RateLimitedLog> logs = new ConcurrentHashMap<>();
    private volatile TrustedNetworks trusted;
    private volatile Duration headerDeadline = DEFAULT_HEADER_DEADLINE;

    /** The admission of a server whose statistics are {@code counters}; off until trusted networks are set. */
    public ProxyAdmission(ServerCounters counters) {
        this.counters = Objects.requireNonNull(counters, "counters");
    }

    /**
     * Turns the PROXY protocol on for peers in {@code trustedNetworks}, a comma-separated list of
     * CIDR ranges, or off ({@code null}).
     *
     * @throws IllegalArgumentException if the list is malformed; the message says what to fix
     */
    public void setTrustedNetworks(String trustedNetworks) {
        this.trusted = trustedNetworks == null ? null : TrustedNetworks.parse(trustedNetworks);
    }

    /** Turns the PROXY protocol on as {@code proxy} says, or off ({@code null}). */
    public void configure(ProxyProtocol proxy) {
        setTrustedNetworks(proxy == null ? null : proxy.trustedNetworks());
        if (proxy != null) {
            setHeaderDeadline(proxy.headerDeadline());
        }
    }

    /** Whether connections must start with a PROXY header. */
    public boolean isOn() {
        return trusted != null;
    }

    /** Sets how long a client has to send its header, counted from the accept. */
    public void setHeaderDeadline(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("PROXY header deadline must be positive; got " + deadline);
        }
        this.headerDeadline = deadline;
    }

    /** How long a client has to send its header. */
    public Duration headerDeadline() {
        return headerDeadline;
    }

    /**
     * Whether the peer at {@code peer} may send a header: true for a trusted network or a peer
     * that is not an IP address; otherwise the connection is counted and logged as
     * {@code untrusted}, and the caller closes it.
     */
    public boolean admits(SocketAddress peer) {
        TrustedNetworks networks = trusted;
        if (networks == null || !(peer instanceof InetSocketAddress inet) || networks.contains(inet.getAddress())) {
            return true;
        }
        reject(peer, "untrusted", () -> "not in the PROXY protocol's trusted networks " + networks);
        return false;
    }

    /** Logs (at {@code DEBUG}) the header accepted from {@code peer}, and returns what a handler sees of it. */
    public ProxyInfo admitted(SocketAddress peer, ProxyHeader header) {
        if (LOG.isLoggable(Level.DEBUG)) {
            String relayed = header.hasAddresses()
                    ? "client " + Addresses.format(header.source()) + " to " + Addresses.format(header.destination())
                    : header.command() == ProxyHeader.Command.LOCAL ? "LOCAL" : "no addresses";
            LOG.log(Level.DEBUG, "connection from " + Addresses.format(peer) + ": PROXY v" + header.version() + " " + relayed);
        }
        return info(header);
    }

    /** What a handler sees of a header: the first TLV of each type, and the addresses if it states them. */
    public static ProxyInfo info(ProxyHeader header) {
        Map<Integer, byte[]> tlvs = new HashMap<>();
        header.tlvs().forEach(tlv -> tlvs.putIfAbsent(tlv.type(), tlv.value()));
        return new ProxyInfo(header.version(), header.hasAddresses() ? header.source() : null,
                header.hasAddresses() ? header.destination() : null, tlvs);
    }

    /**
     * Counts and logs a connection whose header could not be read because of {@code failure}: a
     * {@link ProxyProtocolException} (a bad header, under its reason), a
     * {@link SocketTimeoutException} (the deadline passed) or another I/O error ({@code io}). The
     * caller closes the connection.
     */
    public void rejected(SocketAddress peer, IOException failure) {
        switch (failure) {
            case ProxyProtocolException probe when probe.nothingReceived() -> {
                if (LOG.isLoggable(Level.DEBUG)) {
                    LOG.log(Level.DEBUG, "connection from " + Addresses.format(peer) + " closed before sending anything (a TCP health check)");
                }
            }
            case ProxyProtocolException bad -> reject(peer, reasonKey(bad.reason()), () -> "bad PROXY header: " + bad.getMessage());
            case SocketTimeoutException _ -> timedOut(peer);
            default -> reject(peer, "io", () -> "failed while its PROXY header was read: " + failure);
        }
    }

    /** Counts and logs a connection whose header was not complete within the deadline. */
    public void timedOut(SocketAddress peer) {
        Duration deadline = headerDeadline;
        reject(peer, "timeout", () -> "no PROXY header within " + deadline.toMillis() + " ms");
    }

    /** The key a header refused for {@code reason} is counted under, such as {@code bad_signature}. */
    public static String reasonKey(ProxyProtocolException.Reason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    private void reject(SocketAddress peer, String reason, Supplier<String> why) {
        counters.countProxyRejection(reason);
        logs.computeIfAbsent(reason, r -> new RateLimitedLog(LOG, Duration.ofSeconds(1)))
                .log(Level.WARNING, () -> "closing connection from " + Addresses.format(peer) + ": " + why.get());
    }
}
