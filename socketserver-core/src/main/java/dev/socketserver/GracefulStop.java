package dev.socketserver;

import java.time.Duration;
import java.util.Objects;

/**
 * How a server stops when it is told to ({@link Server#serveUntil(StopSignals, GracefulStop)}):
 * first, optionally, a delay during which it goes on serving and accepting while the world learns
 * it is going away, then a drain ({@link Server#shutdown(Duration)}).
 *
 * <p>The delay is for load balancers that learn late that an instance is stopping. Kubernetes
 * sends SIGTERM to a pod at the same time as it starts removing the pod from its Services'
 * endpoints, which takes seconds to reach every node; a server that stopped accepting at once
 * would refuse the clients still sent its way. With a delay, the server reports "not ready" at the
 * signal ({@link #whenStopRequested(Runnable)}: close a readiness socket, fail a health check),
 * keeps serving for the delay, and only then closes its listening socket and drains.
 *
 * {@snippet :
 * var stop = GracefulStop.drain(Duration.ofSeconds(30))
 *         .withDelay(Duration.ofSeconds(5))
 *         .whenStopRequested(readiness::close);
 * server.serveUntil(StopSignals.install(), stop);
 * }
 *
 * @param drain how long running requests may take to finish once the server stops accepting
 * @param delay how long the server goes on serving after the first signal; zero for none
 * @param onStopRequested runs once, in a thread of its own, when the first signal arrives and
 *     before the delay; an exception it throws is logged and the stop goes on
 */
public record GracefulStop(Duration drain, Duration delay, Runnable onStopRequested) {
    private static final Runnable NOTHING = () -> { };

    /**
     * @throws IllegalArgumentException if a duration is negative
     */
    public GracefulStop {
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(onStopRequested, "onStopRequested");
        if (drain.isNegative()) {
            throw new IllegalArgumentException("drain must not be negative, got " + drain);
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
    }

    /** A drain of at most {@code drain}, with no delay before it. */
    public static GracefulStop drain(Duration drain) {
        return new GracefulStop(drain, Duration.ZERO, NOTHING);
    }

    /** This stop, serving for {@code delay} after the first signal before it drains. */
    public GracefulStop withDelay(Duration delay) {
        return new GracefulStop(drain, delay, onStopRequested);
    }

    /** This stop, running {@code action} when the first signal arrives, before the delay. */
    public GracefulStop whenStopRequested(Runnable action) {
        return new GracefulStop(drain, delay, action);
    }
}
