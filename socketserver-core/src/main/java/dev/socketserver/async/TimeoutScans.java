package dev.socketserver.async;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The scans for the idle timeout and the request deadline of an {@link AsyncServer}: while either
 * is set, each loop looks at its connections every quarter of the shorter one (10 ms to 1 s) and
 * closes those past it (see {@link ConnectionExpiry#checkTimeouts(EventLoop, long, long, long)}).
 * {@link #schedule} may be called from any thread; the scans run on the loops, one per loop at most.
 */
final class TimeoutScans {
    private TimeoutScans() {
    }

    /** Makes sure each of the {@code running} loops (null: not running) scans while an idle timeout or request deadline is set. */
    static void schedule(AsyncServer server, EventLoops running) {
        if (running == null || (server.idleTimeout() == null && server.requestDeadline() == null)) {
            return;
        }
        for (EventLoop loop : running.all()) {
            loop.execute(() -> {
                if (!loop.timeoutScanScheduled) {
                    loop.timeoutScanScheduled = true;
                    scan(server, loop);
                }
            });
        }
    }

    /** Closes the loop's connections that are idle or past their deadline, and comes back in a quarter of the shorter one (10 ms to 1 s). */
    private static void scan(AsyncServer server, EventLoop loop) {
        Duration idle = server.idleTimeout();
        Duration deadline = server.requestDeadline();
        if (idle == null && deadline == null) {
            loop.timeoutScanScheduled = false;
            return;
        }
        long idleNanos = idle == null ? 0 : idle.toNanos();
        long deadlineNanos = deadline == null ? 0 : deadline.toNanos();
        ConnectionExpiry.checkTimeouts(loop, System.nanoTime(), idleNanos, deadlineNanos);
        long shortest = Math.min(idle == null ? Long.MAX_VALUE : idleNanos, deadline == null ? Long.MAX_VALUE : deadlineNanos);
        long period = Math.clamp(shortest / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1));
        loop.schedule(Duration.ofNanos(period), () -> scan(server, loop));
    }
}
