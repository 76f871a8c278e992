package dev.socketserver.loadgen;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link LoadGenerator} does: how many connections it opens to which echo server, what it
 * sends, and for how long.
 *
 * @param target the echo server
 * @param connections connections (or UDP clients, each its own socket), 1 to {@value #MAX_CONNECTIONS}
 * @param size bytes per message, 1 to {@value #MAX_SIZE}; at least {@value #MIN_UDP_SIZE} over UDP
 *     (each datagram carries its sequence number)
 * @param pipeline messages in flight per connection, 1 to {@value #MAX_PIPELINE}: a new one is sent
 *     each time the echo of an earlier one is complete
 * @param duration how long to measure, after the warm-up
 * @param warmup how long to run before measuring; nothing from it is counted
 * @param allowRemote whether a target off this machine's loopback interface is allowed
 * @param idleHold how long to hold every connection open and idle before the warm-up, so that a
 *     server's memory per idle connection can be read; zero for none
 * @param threads selector threads driving the connections, 1 to {@value #MAX_THREADS}
 * @param busyPoll whether the selector threads poll without ever sleeping while traffic runs: each
 *     then keeps a processor busy, but no echo waits for a sleeping generator thread to wake up.
 *     Only for a generator that has processors of its own (see {@code bench/run}).
 */
public record LoadOptions(Target target, int connections, int size, int pipeline, Duration duration,
                          Duration warmup, boolean allowRemote, Duration idleHold, int threads, boolean busyPoll) {

    public static final int MAX_CONNECTIONS = 20_000;
    public static final int MAX_SIZE = 1 << 20;
    public static final int MIN_UDP_SIZE = 8;
    public static final int MAX_UDP_SIZE = 65_507;
    public static final int MAX_PIPELINE = 1024;
    public static final int MAX_THREADS = 64;

    /**
     * @throws IllegalArgumentException with a one-line message when a value is out of range
     */
    public LoadOptions {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(idleHold, "idleHold");
        requireRange("connections", connections, 1, MAX_CONNECTIONS);
        requireRange("pipeline", pipeline, 1, MAX_PIPELINE);
        requireRange("threads", threads, 1, MAX_THREADS);
        if (target.transport() == Target.Transport.UDP) {
            requireRange("size over UDP", size, MIN_UDP_SIZE, MAX_UDP_SIZE);
        } else {
            requireRange("size", size, 1, MAX_SIZE);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, got " + duration);
        }
        if (warmup.isNegative() || idleHold.isNegative()) {
            throw new IllegalArgumentException("warm-up and idle hold must not be negative");
        }
    }

    /**
     * The defaults of {@code socketserver bench}: 50 connections, 64-byte messages, one in flight
     * each, 10 s measured after a 2 s warm-up, on one selector thread (two on a machine with more
     * than two processors).
     */
    public static LoadOptions defaults(Target target) {
        return new LoadOptions(target, 50, 64, 1, Duration.ofSeconds(10), Duration.ofSeconds(2), false,
                Duration.ZERO, defaultThreads(), false);
    }

    /** One selector thread on one or two processors, two on more: the generator must leave the server its share. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors() > 2 ? 2 : 1;
    }

    public LoadOptions withConnections(int n) {
        return new LoadOptions(target, n, size, pipeline, duration, warmup, allowRemote, idleHold, threads, busyPoll);
    }

    public LoadOptions withSize(int bytes) {
        return new LoadOptions(target, connections, bytes, pipeline, duration, warmup, allowRemote, idleHold, threads, busyPoll);
    }

    public LoadOptions withPipeline(int depth) {
        return new LoadOptions(target, connections, size, depth, duration, warmup, allowRemote, idleHold, threads, busyPoll);
    }

    public LoadOptions withTiming(Duration measured, Duration warmupTime) {
        return new LoadOptions(target, connections, size, pipeline, measured, warmupTime, allowRemote, idleHold, threads, busyPoll);
    }

    private static void requireRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", got " + value);
        }
    }
}
