package dev.socketserver;

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
 */
public record ServerStats(int activeRequests, long requestsTotal, long requestsRefused, long bytesIn, long bytesOut,
                          long handlerErrors, long acceptErrors, long truncatedDatagrams) {
}
