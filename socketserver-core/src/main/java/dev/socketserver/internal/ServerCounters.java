package dev.socketserver.internal;

import dev.socketserver.ServerStats;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** A server's running counts, updated from many threads without locks. */
public final class ServerCounters {
    public final LongAdder accepted = new LongAdder();
    public final LongAdder requests = new LongAdder();
    public final LongAdder closed = new LongAdder();
    public final LongAdder timeouts = new LongAdder();
    public final LongAdder tlsHandshakeFailures = new LongAdder();
    public final LongAdder tlsRenegotiationsRefused = new LongAdder();
    public final LongAdder proxyRejections = new LongAdder();
    public final LongAdder refused = new LongAdder();
    public final LongAdder bytesIn = new LongAdder();
    public final LongAdder bytesOut = new LongAdder();
    public final LongAdder handlerErrors = new LongAdder();
    public final LongAdder acceptErrors = new LongAdder();
    public final LongAdder truncatedDatagrams = new LongAdder();
    /** Connections a drain closed at a quiet point, with every request it had read answered. */
    public final LongAdder drainQuietCloses = new LongAdder();
    /** Connections still busy when a drain's deadline passed, and cut. */
    public final LongAdder drainCuts = new LongAdder();
    /** Connections closed because their write buffer passed the limit while writing was paused. */
    public final LongAdder writeBufferLimitCloses = new LongAdder();
    /** Datagram replies dropped because the socket's queue of replies was full. */
    public final LongAdder repliesDropped = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> proxyRejectionsByReason = new ConcurrentHashMap<>();

    /** Counts a connection the PROXY protocol turned away for {@code reason}; a {@code timeout} is a timeout too. */
    public void countProxyRejection(String reason) {
        proxyRejections.increment();
        proxyRejectionsByReason.computeIfAbsent(reason, r -> new LongAdder()).increment();
        if (reason.equals("timeout")) {
            timeouts.increment();
        }
    }

    /** A snapshot of the counts, with the requests running now and the bytes each family counts its own way. */
    public ServerStats snapshot(int activeRequests, long bytesIn, long bytesOut) {
        return new ServerStats(activeRequests, accepted.sum(), requests.sum(), refused.sum(), closed.sum(), bytesIn, bytesOut,
                handlerErrors.sum(), acceptErrors.sum(), timeouts.sum(), tlsHandshakeFailures.sum(), tlsRenegotiationsRefused.sum(),
                proxyRejections.sum(), truncatedDatagrams.sum(), drainQuietCloses.sum(), drainCuts.sum(), writeBufferLimitCloses.sum(),
                repliesDropped.sum(), proxyRejectionsByReason());
    }

    /** PROXY rejections so far, by reason, in the reasons' order; only reasons that happened. */
    public SortedMap<String, Long> proxyRejectionsByReason() {
        SortedMap<String, Long> snapshot = new TreeMap<>();
        proxyRejectionsByReason.forEach((reason, count) -> snapshot.put(reason, count.sum()));
        return Collections.unmodifiableSortedMap(snapshot);
    }
}
