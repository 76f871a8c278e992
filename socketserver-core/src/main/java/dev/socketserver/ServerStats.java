package dev.socketserver;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A snapshot of a server's counters, from {@link BaseServer#stats()}. Counts run from the server's
 * creation; {@code activeRequests} is the number running at the moment of the snapshot. The
 * counters are updated without locks, so a snapshot taken while requests run is approximate across
 * fields, and exact for each one.
 *
 * @param activeRequests requests (connections, or datagrams being handled) running now
 * @param requestsTotal requests accepted and passed {@code verifyRequest}
 * @param requestsRefused requests that {@code verifyRequest} turned away
 * @param bytesIn bytes read from clients (stream data, or datagram payloads)
 * @param bytesOut bytes written to clients
 * @param handlerErrors exceptions reported to {@code handleError}
 * @param acceptErrors failures to accept or receive (such as too many open files), each retried
 * @param truncatedDatagrams datagrams longer than the maximum packet size (datagram servers)
 * @param proxyHeaderRejections connections the PROXY protocol turned away, by reason (stream
 *     servers with {@link StreamServer#setProxyProtocol} on; see there), with only the reasons that
 *     occurred: {@code untrusted} (a peer outside the trusted networks), {@code timeout} (no
 *     complete header within the deadline), {@code io} (the connection failed while the header was
 *     read), or what was wrong with the header: {@code not_proxy_protocol}, {@code bad_signature},
 *     {@code unsupported_version}, {@code bad_command}, {@code bad_family}, {@code malformed_line},
 *     {@code truncated}, {@code too_long}, {@code malformed_address}, {@code bad_port},
 *     {@code bad_tlv}, {@code bad_checksum}
 */
public record ServerStats(int activeRequests, long requestsTotal, long requestsRefused, long bytesIn, long bytesOut,
                          long handlerErrors, long acceptErrors, long truncatedDatagrams,
                          SortedMap<String, Long> proxyHeaderRejections) {

    /** Copies the map, which is sorted by reason and cannot be changed. */
    public ServerStats {
        proxyHeaderRejections = Collections.unmodifiableSortedMap(new TreeMap<>(proxyHeaderRejections));
    }
}
