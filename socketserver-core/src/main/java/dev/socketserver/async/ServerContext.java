package dev.socketserver.async;

import dev.socketserver.ServerOptions;
import dev.socketserver.ServerStats;
import dev.socketserver.TlsOptions;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.ProxyAdmission;
import dev.socketserver.internal.RateLimitedLog;
import dev.socketserver.internal.ServerCounters;
import dev.socketserver.internal.TlsPolicy;

import javax.net.ssl.SSLContext;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What the connections of one {@link AsyncServer} use of their server: the options they apply
 * (TLS, the PROXY protocol, the water marks, the write-buffer limit), the counters they count in,
 * and the number of open connections with its cap, which the {@link Acceptor} keeps to. One per
 * server, made with it. Read by the loops' threads; the count and the cap may be read and changed
 * from any thread.
 */
final class ServerContext {
    private static final System.Logger TLS_LOG = System.getLogger(Loggers.TLS);

    final ServerCounters counters = new ServerCounters();
    /** Stream connections accepted and not yet closed: raised by the acceptor, lowered by {@link #connectionClosed}. */
    final AtomicInteger openConnections = new AtomicInteger();
    private final ServerOptions options;
    private final ProxyAdmission proxyAdmission = new ProxyAdmission(counters);
    private final RateLimitedLog tlsFailures = new RateLimitedLog(TLS_LOG, Duration.ofSeconds(1));
    private final RateLimitedLog writeLimitLog = new RateLimitedLog(System.getLogger(Loggers.REQUEST), Duration.ofSeconds(1));
    private final TlsPolicy tlsPolicy = new TlsPolicy(counters);
    // volatile: may change while serving, read by the loops
    private volatile int maxConnections;
    private volatile Acceptor acceptor;                // set on the accepting loop once it listens

    ServerContext(ServerOptions options) {
        this.options = options;
    }

    ServerOptions options() {
        return options;
    }

    SSLContext sslContext() {
        TlsOptions tls = options.tls();
        return tls == null ? null : tls.context();
    }

    boolean tlsNeedClientAuth() {
        return options.tls().needClientAuth();
    }

    Duration tlsHandshakeDeadline() {
        return options.tls().handshakeDeadline();
    }

    List<String> tlsApplicationProtocols() {
        return options.tls().applicationProtocols();
    }

    TlsPolicy tlsPolicy() {
        return tlsPolicy;
    }

    void tlsHandshakeFailed(Supplier<String> message) {
        counters.tlsHandshakeFailures.increment();
        tlsFailures.log(Level.WARNING, message);
    }

    /** A connection is closed: its protocol kept writing while paused, past the write-buffer limit. */
    void writeBufferLimitPassed(Supplier<String> message) {
        counters.writeBufferLimitCloses.increment();
        writeLimitLog.log(Level.WARNING, message);
    }

    /** A connection closed because a timeout or deadline passed. */
    void countTimeout() {
        counters.timeouts.increment();
    }

    void countHandlerError() {
        counters.handlerErrors.increment();
    }

    ProxyAdmission proxyAdmission() {
        return proxyAdmission;
    }

    int lowWaterMark() {
        return options.lowWaterMark();
    }

    int highWaterMark() {
        return options.highWaterMark();
    }

    long writeBufferLimit() {
        return options.writeBufferLimit();
    }

    /** The cap on open connections, 0 for none. */
    int maxConnections() {
        return maxConnections;
    }

    /** Sets the cap (checked by the caller); the acceptor, if listening, looks again on its loop. Any thread. */
    void setMaxConnections(int max) {
        this.maxConnections = max;
        Acceptor a = acceptor;
        if (a != null) {
            a.capChanged();
        }
    }

    /** The acceptor listens: from now on closing connections and a changed cap tell it. */
    void listening(Acceptor a) {
        this.acceptor = a;
    }

    /** The statistics: the counters, and the bytes the loops counted that are not in them yet. Any thread. */
    ServerStats stats(long loopBytesIn, long loopBytesOut) {
        long in = counters.bytesIn.sum() + loopBytesIn;
        long out = counters.bytesOut.sum() + loopBytesOut;
        return counters.snapshot(openConnections.get(), in, out);
    }

    /** A connection counted at accept has closed. Runs on its loop. */
    void connectionClosed(StreamConnection connection) {
        openConnections.decrementAndGet();
        counters.closed.increment();
        Acceptor a = acceptor;
        if (a != null) {
            a.connectionClosed();
        }
    }
}
