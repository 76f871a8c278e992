package dev.socketserver.loadgen;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An echo load generator: it opens connections to an echo server, keeps a number of messages in
 * flight on each, checks every byte that comes back, and measures throughput and round-trip
 * latency. It is built to measure, so it must not be the bottleneck: a selector thread or two
 * ({@link LoadOptions#threads()}) drive every connection with non-blocking I/O, allocate nothing
 * per message, and keep no copy of what they sent (see {@link MessagePattern}).
 *
 * {@snippet :
 * LoadResult r = new LoadGenerator(LoadOptions.defaults(Target.parse("tcp://127.0.0.1:9000"))).run();
 * System.out.printf("%.0f msg/s, p99 %.0f µs, %d errors%n", r.messagesPerSecond(), r.latency().p99(), r.errors());
 * }
 *
 * <p>A run has four phases. <b>Connect</b>: connections open gradually with retries (at most
 * {@value #CONNECT_PHASE_SECONDS} s; one still closed then is an error). <b>Idle</b>, if
 * {@link LoadOptions#idleHold()} is set: every connection open, nothing sent. <b>Warm-up</b>:
 * traffic flows, nothing is counted. <b>Measure</b>: echoes completed without error are counted
 * and their latencies recorded in an HdrHistogram. Errors are counted over the whole run.
 *
 * <p>Threads: {@link #run()} runs in the caller's thread, which coordinates and reports progress to
 * the {@link Listener}; the connections live in the drivers' threads.
 */
public final class LoadGenerator {
    /** How many error descriptions a result keeps. */
    public static final int ERROR_SAMPLES = 5;
    /** The longest the connect phase may take. */
    public static final int CONNECT_PHASE_SECONDS = 60;
    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LoadOptions options;
    private final Listener listener;

    /** What a run is doing, for {@link Listener#progress}. */
    public enum Phase { CONNECT, IDLE, WARMUP, MEASURE }

    /**
     * A snapshot of a run, about once a second.
     *
     * @param phase what the run is doing
     * @param elapsed time spent in this phase
     * @param length the phase's length; zero when open-ended (connecting)
     * @param connected connections open
     * @param messagesPerSecond echoes per second in the last interval
     * @param p99Micros the 99th percentile latency of the last interval, in microseconds
     * @param errors errors so far, the whole run
     */
    public record Progress(Phase phase, Duration elapsed, Duration length, int connected, int connections,
                           double messagesPerSecond, double p99Micros, long errors) {
    }

    /** Hears about a run as it goes; every method is called in the thread that called {@link #run()}. */
    public interface Listener {
        /** About once a second, and once at the end of each phase. */
        default void progress(Progress progress) {
        }

        /** Every connection is open (or given up on), nothing has been sent yet, and the idle hold is over. */
        default void idle(int connected) {
        }

        /** The measured period begins. */
        default void measuring() {
        }

        /** The measured period has ended. */
        default void measured() {
        }
    }

    /** A generator that reports to nobody. */
    public LoadGenerator(LoadOptions options) {
        this(options, new Listener() { });
    }

    public LoadGenerator(LoadOptions options, Listener listener) {
        this.options = Objects.requireNonNull(options, "options");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Checks that the target may be driven: it must be on the loopback interface unless
     * {@link LoadOptions#allowRemote()}.
     *
     * @throws IllegalArgumentException if it is not, saying so in one line
     * @throws java.net.UnknownHostException if the host does not resolve
     */
    public static void checkTarget(LoadOptions options) throws IOException {
        if (!options.allowRemote() && !options.target().isLoopback()) {
            throw new IllegalArgumentException(options.target() + " is not a loopback address; a load generator floods"
                    + " its target, so pass --allow-remote to drive a server on another machine");
        }
    }

    /**
     * Runs the load and returns what it measured.
     *
     * @throws IllegalArgumentException if the target is not on loopback and remote targets are not allowed
     * @throws IOException if the target does not resolve or a selector cannot be opened
     * @throws InterruptedException if the calling thread is interrupted; the connections are closed first
     */
    public LoadResult run() throws IOException, InterruptedException {
        checkTarget(options);
        SocketAddress address = options.target().resolve();
        int threads = Math.min(options.threads(), options.connections());
        var shared = new Driver.Shared(new AtomicInteger(), new AtomicLong(), new ConcurrentLinkedQueue<>(),
                new CountDownLatch(threads));
        List<Driver> drivers = new ArrayList<>();
        List<Thread> started = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int[] ids = new int[(options.connections() - t + threads - 1) / threads];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = t + i * threads;
                }
                drivers.add(options.target().transport() == Target.Transport.UDP
                        ? new DatagramDriver(options, address, ids, shared)
                        : new StreamDriver(options, address, ids, new MessagePattern(options.size()), shared));
            }
            for (int t = 0; t < threads; t++) {
                started.add(Thread.ofPlatform().name("bench-driver-" + t).daemon().start(drivers.get(t)));
            }
            return drive(drivers, shared);
        } finally {
            for (Driver d : drivers) {
                d.moveTo(Driver.Phase.STOPPED);
            }
            for (Driver d : drivers) {
                d.awaitFinished(10, TimeUnit.SECONDS);
            }
            for (Driver d : drivers) {
                d.selector.close();   // a driver that never started leaves its selector open
            }
        }
    }

    private LoadResult drive(List<Driver> drivers, Driver.Shared shared) throws InterruptedException {
        // connect
        long connectStart = System.nanoTime();
        long deadline = connectStart + TimeUnit.SECONDS.toNanos(CONNECT_PHASE_SECONDS);
        while (!shared.settled().await(Math.min(TICK_NANOS, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)
                && System.nanoTime() < deadline) {
            listener.progress(progress(Phase.CONNECT, connectStart, Duration.ZERO, shared, Double.NaN, Double.NaN));
        }
        listener.progress(progress(Phase.CONNECT, connectStart, Duration.ZERO, shared, Double.NaN, Double.NaN));
        for (Driver d : drivers) {
            d.moveTo(Driver.Phase.IDLE);
        }

        // hold idle
        if (options.idleHold().isPositive()) {
            long idleStart = System.nanoTime();
            waitTicks(idleStart, options.idleHold(), () ->
                    listener.progress(progress(Phase.IDLE, idleStart, options.idleHold(), shared, Double.NaN, Double.NaN)));
        }
        int connected = shared.connected().get();
        listener.idle(connected);

        // warm up
        for (Driver d : drivers) {
            d.moveTo(Driver.Phase.RUNNING);
        }
        Histogram interval = new Histogram(3);
        runPhase(Phase.WARMUP, options.warmup(), drivers, shared, interval, null);
        takeInterval(drivers, interval);   // the tail of the warm-up, not counted
        double cpuBefore = processCpuSeconds();
        long idleBefore = idleNanos(drivers);
        long start = System.nanoTime();
        listener.measuring();

        // measure
        Histogram total = new Histogram(3);
        runPhase(Phase.MEASURE, options.duration(), drivers, shared, interval, total);
        takeInterval(drivers, interval);
        long end = System.nanoTime();
        double cpuAfter = processCpuSeconds();
        long idleAfter = idleNanos(drivers);
        total.add(interval);
        listener.measured();

        for (Driver d : drivers) {
            d.moveTo(Driver.Phase.STOPPED);
        }
        long lost = 0;
        for (Driver d : drivers) {
            d.awaitFinished(10, TimeUnit.SECONDS);
            lost += d.lost();
        }
        double generatorCpu;
        if (options.busyPoll()) {   // every driver keeps a processor busy: count what it did, not what it burned
            generatorCpu = drivers.size() - (idleAfter - idleBefore) / (double) (end - start);
        } else {
            generatorCpu = cpuBefore < 0 || cpuAfter < 0 ? -1 : (cpuAfter - cpuBefore) / ((end - start) / 1e9);
        }
        return new LoadResult(options, connected, end - start, LatencySummary.ofNanos(total),
                shared.errors().get(), lost, List.copyOf(shared.errorSamples()), generatorCpu);
    }

    /** Runs traffic for {@code length}, reporting each second; adds each interval to {@code total} if given. */
    private void runPhase(Phase phase, Duration length, List<Driver> drivers, Driver.Shared shared,
                          Histogram interval, Histogram total) throws InterruptedException {
        long start = System.nanoTime();
        long[] last = {start};
        waitTicks(start, length, () -> {
            takeInterval(drivers, interval);
            long now = System.nanoTime();
            double seconds = (now - last[0]) / 1e9;
            last[0] = now;
            if (total != null) {
                total.add(interval);
            }
            listener.progress(progress(phase, start, length, shared, interval.getTotalCount() / seconds,
                    interval.getTotalCount() == 0 ? Double.NaN : interval.getValueAtPercentile(99.0) / 1_000.0));
        });
    }

    /** Calls {@code tick} about once a second until {@code length} has passed since {@code start}; not at the very end. */
    private static void waitTicks(long start, Duration length, Runnable tick) throws InterruptedException {
        long end = start + length.toNanos();
        long next = start + TICK_NANOS;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                return;
            }
            if (now >= next) {
                tick.run();
                next += TICK_NANOS;
                continue;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(next, end) - now);
        }
    }

    private static void takeInterval(List<Driver> drivers, Histogram into) {
        into.reset();
        for (Driver d : drivers) {
            into.add(d.takeInterval());
        }
    }

    private Progress progress(Phase phase, long start, Duration length, Driver.Shared shared, double rate, double p99) {
        return new Progress(phase, Duration.ofNanos(System.nanoTime() - start), length, shared.connected().get(),
                options.connections(), rate, p99, shared.errors().get());
    }

    private static long idleNanos(List<Driver> drivers) {
        long sum = 0;
        for (Driver d : drivers) {
            sum += d.idleNanos();
        }
        return sum;
    }

    /** This process's processor time so far, in seconds; -1 if the system does not tell. */
    private static double processCpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(-1.0);
    }
}
