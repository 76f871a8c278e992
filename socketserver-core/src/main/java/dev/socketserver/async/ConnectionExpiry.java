package dev.socketserver.async;

import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.DrainPlan;
import dev.socketserver.internal.Loggers;

import java.lang.System.Logger.Level;
import java.net.SocketTimeoutException;

/**
 * When the server ends a {@link StreamConnection} on its own account: the idle timeout (nothing
 * read or written for so long), the request deadline (open for so long), both checked by the
 * server's periodic scan, and a drain's quiet points (see {@link DrainPlan}). It keeps when the
 * connection opened and when it was last active. Loop thread only.
 *
 * <p>The server's timeout scans ({@link TimeoutScans}) and a drain ({@link Drain}) reach the
 * connections of a loop through the static methods here.
 */
final class ConnectionExpiry {
    private static final System.Logger LOG = System.getLogger(Loggers.REQUEST);   // what a connection logs, as on the blocking servers

    private final StreamConnection connection;
    private final InboundReader inbound;
    private final OutboundBuffer outbound;
    private final ServerContext server;
    private long openedNanos;
    private long lastActivityNanos;
    private boolean closeWhenQuiet;             // a drain's final window: the next quiet point closes the connection

    ConnectionExpiry(StreamConnection connection, InboundReader inbound, OutboundBuffer outbound, ServerContext server) {
        this.connection = connection;
        this.inbound = inbound;
        this.outbound = outbound;
        this.server = server;
    }

    /**
     * Closes the connections of {@code loop} past their idle timeout or request deadline; see
     * {@link #checkTimeouts(long, long, long)}. Runs on the loop.
     */
    static void checkTimeouts(EventLoop loop, long now, long idleNanos, long deadlineNanos) {
        for (EventLoop.LoopChannel channel : loop.channels()) {
            if (channel instanceof StreamConnection connection) {
                connection.expiry().checkTimeouts(now, idleNanos, deadlineNanos);
            }
        }
    }

    /** Ends the loop's quiet connections; see {@link #drainLook(DrainPlan, long)}. Runs on the loop. */
    static void drainLook(EventLoop loop, DrainPlan plan) {
        long now = System.nanoTime();
        for (EventLoop.LoopChannel channel : loop.channels()) {
            if (channel instanceof StreamConnection connection) {
                connection.expiry().drainLook(plan, now);
            }
        }
    }

    /** Tells the protocol of each of the loop's connections that the drain began. Runs on the loop. */
    static void drainStarted(EventLoop loop) {
        for (EventLoop.LoopChannel channel : loop.channels()) {
            if (channel instanceof StreamConnection connection && connection.protocol() != null && !connection.closeStarted()) {
                try {
                    connection.protocol().drainStarted();
                } catch (RuntimeException e) {
                    connection.failed("drainStarted", e);
                }
            }
        }
    }

    /** The connection opened at {@code nowNanos}. */
    void opened(long nowNanos) {
        openedNanos = nowNanos;
        lastActivityNanos = nowNanos;
    }

    /** Bytes were read or written at {@code nowNanos}. */
    void active(long nowNanos) {
        lastActivityNanos = nowNanos;
    }

    /** Whether the drain is in its final window, where the next quiet point closes the connection. */
    boolean closesWhenQuiet() {
        return closeWhenQuiet;
    }

    /**
     * Closes the connection if it has been idle (nothing read or written) for {@code idleNanos}, or
     * open for {@code deadlineNanos}; 0 means no such limit.
     */
    void checkTimeouts(long now, long idleNanos, long deadlineNanos) {
        if (connection.isClosed()) {
            return;
        }
        if (idleNanos > 0 && now - lastActivityNanos >= idleNanos) {
            timedOut("no bytes read or written for " + idleNanos / 1_000_000 + " ms (idle timeout)");
        } else if (deadlineNanos > 0 && now - openedNanos >= deadlineNanos) {
            timedOut("open for " + deadlineNanos / 1_000_000 + " ms (request deadline)");
        }
    }

    private void timedOut(String why) {
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "closing connection from " + Addresses.format(connection.clientAddress()) + ": " + why);
        }
        server.countTimeout();
        connection.closeNow(new SocketTimeoutException(why), false);
    }

    /**
     * A drain's look at the connection: closes it if it is quiet and has been for long enough, or
     * at once in the drain's final window, from when on its next quiet point closes it too.
     */
    void drainLook(DrainPlan plan, long nowNanos) {
        if (plan.inFinalWindow(nowNanos)) {
            closeWhenQuiet = true;
        }
        if (plan.endsQuiet(lastActivityNanos, nowNanos)) {
            closeIfQuiet();
        }
    }

    /**
     * Closes the connection if it is quiet: everything delivered to the protocol has been followed
     * by a write, all of it is written, nothing is held, and the socket has nothing more to read
     * (what it has is read and delivered first).
     */
    void closeIfQuiet() {
        if (connection.closeStarted() || !quiet()) {
            return;
        }
        long before = inbound.deliveries();
        if (!inbound.ended()) {
            inbound.read();   // whatever the client sent meanwhile is a request under way
        }
        if (connection.closeStarted() || inbound.deliveries() != before || !quiet()) {
            return;
        }
        server.counters.drainQuietCloses.increment();
        connection.close();
    }

    /** Whether the connection is between two requests: all delivered is answered and written, and nothing is held. */
    private boolean quiet() {
        return inbound.isQuiet() && outbound.isIdle();
    }
}
