package dev.socketserver;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A snapshot of a server's counters, from {@link BaseServer#stats()}. Counts run from the server's
 * creation; {@code activeRequests} is the number running at the moment of the snapshot. The
 * counters are updated without locks, so a snapshot taken while requests run is approximate across
 * fields, and exact for each one. Once every request has ended, {@code closed} equals
 * {@code accepted}.
 *
 * @param activeRequests requests running now: open connections, or datagrams being handled
 * @param accepted connections accepted, or datagrams received
 * @param requestsTotal requests that passed {@code verifyRequest}
 * @param requestsRefused requests that {@code verifyRequest} turned away
 * @param closed requests that have ended, served or not: connections closed, datagrams done
 * @param bytesIn bytes read from clients (stream data, or datagram payloads), TLS records decrypted
 * @param bytesOut bytes written to clients
 * @param handlerErrors exceptions reported to {@code handleError}, except a peer's frame over its
 *     limit ({@link FrameTooLongException})
 * @param acceptErrors failures to accept or receive (such as too many open files), each retried
 * @param timeouts connections the server closed because a timeout or deadline passed: the idle
 *     timeout, the request deadline, the TLS handshake or the PROXY header deadline
 * @param tlsHandshakeFailures clients that failed the TLS handshake, timeouts included
 * @param tlsRenegotiationsRefused TLS 1.2 connections closed because the client started a new
 *     handshake (a renegotiation, which the servers refuse); a TLS 1.3 key update is not one
 * @param proxyRejections connections the PROXY protocol turned away: untrusted peer, bad or late header
 * @param truncatedDatagrams datagrams longer than the maximum packet size (datagram servers)
 * @param drainQuietCloses connections a drain ended at a quiet point, between two requests, with
 *     every request the server had read answered (stream servers; see {@code shutdown(Duration)})
 * @param drainCuts requests still running when a drain's deadline passed, and cut
 * @param writeBufferLimitCloses connections closed because their write buffer passed
 *     {@link ServerOptions#writeBufferLimit()}: a protocol that kept writing after
 *     {@code pauseWriting}, to a peer that does not read (event loop)
 * @param repliesDropped datagram replies dropped because the socket's queue of replies waiting to
 *     be sent was full: 1,024 replies, or {@link ServerOptions#writeBufferLimit()} bytes (event loop)
 * @param proxyRejectionsByReason {@code proxyRejections} by reason (stream
 *     servers and the event loop with {@link ServerOptions.Builder#proxyProtocol} on; the same keys in both), with
 *     only the reasons that occurred: {@code untrusted} (a peer outside the trusted networks), {@code timeout} (no
 *     complete header within the deadline), {@code io} (the connection failed while the header was
 *     read), or what was wrong with the header: {@code not_proxy_protocol}, {@code bad_signature},
 *     {@code unsupported_version}, {@code bad_command}, {@code bad_family}, {@code malformed_line},
 *     {@code truncated}, {@code too_long}, {@code malformed_address}, {@code bad_port},
 *     {@code bad_tlv}, {@code bad_checksum}
 */
public record ServerStats(int activeRequests, long accepted, long requestsTotal, long requestsRefused, long closed,
                          long bytesIn, long bytesOut, long handlerErrors, long acceptErrors, long timeouts,
                          long tlsHandshakeFailures, long tlsRenegotiationsRefused, long proxyRejections, long truncatedDatagrams,
                          long drainQuietCloses, long drainCuts, long writeBufferLimitCloses, long repliesDropped,
                          SortedMap<String, Long> proxyRejectionsByReason) {

    /** Copies the map, which is sorted by reason and cannot be changed. */
    public ServerStats {
        proxyRejectionsByReason = Collections.unmodifiableSortedMap(new TreeMap<>(proxyRejectionsByReason));
    }

    /** The counts on one line, for logs: {@code active 3, accepted 120, requests 120, refused 0, closed 117, bytes in 4096, ...}. */
    public String toLine() {
        return "active " + activeRequests + ", accepted " + accepted + ", requests " + requestsTotal + ", refused " + requestsRefused
                + ", closed " + closed + ", bytes in " + bytesIn + ", bytes out " + bytesOut + ", handler errors " + handlerErrors
                + ", accept errors " + acceptErrors + ", timeouts " + timeouts + ", TLS failures " + tlsHandshakeFailures
                + ", TLS renegotiations refused " + tlsRenegotiationsRefused
                + ", PROXY rejections " + proxyRejections + (proxyRejectionsByReason.isEmpty() ? "" : " " + proxyRejectionsByReason)
                + ", truncated datagrams " + truncatedDatagrams + ", drain closed quiet " + drainQuietCloses + ", cut " + drainCuts
                + ", write buffer limit closes " + writeBufferLimitCloses + ", replies dropped " + repliesDropped;
    }
}
