package dev.socketserver;

import dev.socketserver.internal.ChannelConnection;
import dev.socketserver.internal.Loggers;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A stream server's idle timeout and request deadline, and the watcher that enforces them: one
 * virtual thread per server, {@code socketserver-timeouts}, checks the running connections a few
 * times per timeout, ends those past either limit, and ends with the server. Part of {@link StreamServer}.
 *
 * <p>Threads: the settings are changed in any thread and read by the watcher; the watcher thread
 * ends connections through {@link BaseServer#endRequest}.
 */
final class StreamTimeouts {
    private static final System.Logger REQUEST_LOG = System.getLogger(Loggers.REQUEST);

    private final StreamServer server;
    // volatile: set in any thread (setIdleTimeout may be called while serving), read by the watcher each round
    private volatile Duration idleTimeout;
    private volatile Duration requestDeadline;
    private Thread watcher;               // guarded by this

    StreamTimeouts(StreamServer server) {
        this.server = server;
    }

    void setIdleTimeout(Duration timeout) {
        this.idleTimeout = timeout;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    void setRequestDeadline(Duration deadline) {
        this.requestDeadline = deadline;
    }

    Duration requestDeadline() {
        return requestDeadline;
    }

    /** Starts the watcher if a limit is set and it is not running yet, unless the server is closed. */
    synchronized void start() {
        if (watcher != null || (idleTimeout == null && requestDeadline == null) || server.isClosed()) {
            return;
        }
        watcher = Thread.ofVirtual().name("socketserver-timeouts").start(() -> {
            while (!server.isClosed()) {
                Duration idle = idleTimeout;
                Duration deadline = requestDeadline;
                long shortest = Math.min(idle == null ? Long.MAX_VALUE : idle.toNanos(), deadline == null ? Long.MAX_VALUE : deadline.toNanos());
                if (shortest == Long.MAX_VALUE) {
                    shortest = TimeUnit.SECONDS.toNanos(4);
                }
                LockSupport.parkNanos(Math.clamp(shortest / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1)));
                long now = System.nanoTime();
                for (Connection request : server.runningRequests()) {
                    if (request instanceof ChannelConnection c) {
                        if (idle != null && now - c.lastActivityNanos() >= idle.toNanos()) {
                            REQUEST_LOG.log(Level.DEBUG, () -> "closing " + c + ": idle for " + idle.toMillis() + " ms");
                            server.counters.timeouts.increment();
                            server.endRequest(request);
                        } else if (deadline != null && now - c.acceptedNanos() >= deadline.toNanos()) {
                            REQUEST_LOG.log(Level.DEBUG, () -> "closing " + c + ": request deadline of " + deadline.toMillis() + " ms passed");
                            server.counters.timeouts.increment();
                            server.endRequest(request);
                        }
                    }
                }
            }
        });
    }

    /** Wakes the watcher, so that it sees the server closed and ends. */
    synchronized void wakeUp() {
        if (watcher != null) {
            LockSupport.unpark(watcher);
        }
    }
}
