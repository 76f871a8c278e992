package dev.socketserver.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How a drain ends connections at their quiet points, in both families. A connection is quiet when
 * everything the server read from it has been answered and the client has sent nothing since: it
 * sits between two requests. Ending it there loses no reply.
 *
 * <p>A byte stream does not say where its requests end, and a client that streams without waiting
 * for replies looks quiet whenever the server has caught up with it. So the drain goes in two
 * steps. Until its final window, a connection ends once it has been quiet for {@link #QUIET_SETTLE}
 * (an idle client, or one that thinks between requests); a stream that keeps flowing is left to
 * finish. In the final window, the last {@link #FINAL_WINDOW} or half the drain, whichever is
 * shorter, every connection ends at its next quiet point, however brief: clients that send requests
 * back to back end between two of them. What is still busy at the deadline is cut.
 */
public final class DrainPlan {
    /** How long a connection must stay quiet before the first step of a drain ends it. */
    public static final Duration QUIET_SETTLE = Duration.ofSeconds(2);
    /** At most how long before the deadline every quiet point ends its connection at once. */
    public static final Duration FINAL_WINDOW = Duration.ofMillis(500);
    /** How often a drain looks for connections that became quiet. */
    public static final Duration POLL = Duration.ofMillis(20);

    private final long deadlineNanos;
    private final long finalWindowNanos;

    /** A drain that started at {@code startNanos} ({@link System#nanoTime()}) with {@code drain} to go. */
    public DrainPlan(long startNanos, Duration drain) {
        long length = Math.max(0, saturatedNanos(drain));
        this.deadlineNanos = startNanos + length;
        this.finalWindowNanos = deadlineNanos - Math.min(FINAL_WINDOW.toNanos(), length / 2);
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Whether the final window has begun: every quiet point now ends its connection. */
    public boolean inFinalWindow(long nowNanos) {
        return nowNanos - finalWindowNanos >= 0;
    }

    /** Whether a connection quiet since {@code quietSinceNanos} ends now. */
    public boolean endsQuiet(long quietSinceNanos, long nowNanos) {
        return inFinalWindow(nowNanos) || nowNanos - quietSinceNanos >= QUIET_SETTLE.toNanos();
    }

    /** When to look again: one poll from now, but never past the deadline. */
    public long nextLookNanos(long nowNanos) {
        long next = nowNanos + POLL.toNanos();
        return next - deadlineNanos > 0 ? deadlineNanos : next;
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return TimeUnit.DAYS.toNanos(365 * 100);
        }
    }
}
