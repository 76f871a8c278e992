package dev.socketserver.internal;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** A server's running counts, updated from many threads without locks. */
public final class ServerCounters {
    public final LongAdder requests = new LongAdder();
    public final LongAdder refused = new LongAdder();
    public final LongAdder bytesIn = new LongAdder();
    public final LongAdder bytesOut = new LongAdder();
    public final LongAdder handlerErrors = new LongAdder();
    public final LongAdder acceptErrors = new LongAdder();
    public final LongAdder truncatedDatagrams = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> proxyRejections = new ConcurrentHashMap<>();

    /** Counts a connection the PROXY protocol turned away for {@code reason}. */
    public void countProxyRejection(String reason) {
        proxyRejections.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** PROXY rejections so far, by reason, in the reasons' order; only reasons that happened. */
    public SortedMap<String, Long> proxyRejections() {
        SortedMap<String, Long> snapshot = new TreeMap<>();
        proxyRejections.forEach((reason, count) -> snapshot.put(reason, count.sum()));
        return Collections.unmodifiableSortedMap(snapshot);
    }
}
