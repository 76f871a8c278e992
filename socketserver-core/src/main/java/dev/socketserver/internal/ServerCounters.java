package dev.socketserver.internal;

import java.util.concurrent.atomic.LongAdder;

/** A server's running counts, updated from many threads without locks. */
public final class ServerCounters {
    public final LongAdder accepted = new LongAdder();
    public final LongAdder requests = new LongAdder();
    public final LongAdder closed = new LongAdder();
    public final LongAdder timeouts = new LongAdder();
    public final LongAdder tlsHandshakeFailures = new LongAdder();
    public final LongAdder proxyRejections = new LongAdder();
    public final LongAdder refused = new LongAdder();
    public final LongAdder bytesIn = new LongAdder();
    public final LongAdder bytesOut = new LongAdder();
    public final LongAdder handlerErrors = new LongAdder();
    public final LongAdder acceptErrors = new LongAdder();
    public final LongAdder truncatedDatagrams = new LongAdder();
}
