package dev.socketserver.internal.proxy;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * JUnit's {@code @Timeout} does not reach jqwik properties, so this hook bounds them instead.
 *
 * <ul>
 *   <li>A property still trying after {@link #PROPERTY_BOUND} stops generating and fails, saying how
 *       many tries it managed: the fuzz got too slow.
 *   <li>A single try that runs for {@link #TRY_BOUND} is a hang (an infinite loop in the parser, the
 *       HAProxy CVE-2022-0711 class). Nothing can stop a loop that never blocks, so a watchdog thread
 *       prints the stuck thread's stack and the input, then halts the test JVM, which fails the build
 *       with that output instead of hanging it.
 * </ul>
 *
 * <p>Properties run one at a time on jqwik's thread; the fields shared with the watchdog are volatile.
 */
public final class FuzzTimeBound implements AroundPropertyHook, AroundTryHook {
    static final Duration PROPERTY_BOUND = Duration.ofSeconds(60);
    static final Duration TRY_BOUND = Duration.ofSeconds(20);

    /** When the running property must stop, in System.nanoTime() terms. */
    private static volatile long propertyDeadline;
    /** Set once a try found the deadline passed. */
    private static volatile boolean overran;
    private static volatile int tries;
    /** When the running try started, or 0 between tries. Read by the watchdog. */
    private static volatile long tryStarted;
    private static volatile List<Object> tryParameters = List.of();

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        propertyDeadline = System.nanoTime() + PROPERTY_BOUND.toNanos();
        overran = false;
        tries = 0;
        CountDownLatch done = new CountDownLatch(1);
        Thread runner = Thread.currentThread();
        Thread watchdog = Thread.ofPlatform().daemon().name("fuzz-watchdog").start(() -> watch(runner, done, context.label()));
        try {
            PropertyExecutionResult result = property.execute();
            if (overran) {
                return result.mapToFailed("fuzzing " + context.label() + " ran past its bound of " + PROPERTY_BOUND.toSeconds()
                        + " s after " + tries + " tries; the parser has become slow");
            }
            return result;
        } finally {
            done.countDown();
            watchdog.interrupt();
        }
    }

    @Override
    public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters) {
        if (System.nanoTime() - propertyDeadline > 0) {
            overran = true;
            return TryExecutionResult.satisfied(true);
        }
        tries++;
        tryParameters = parameters;
        tryStarted = System.nanoTime();
        try {
            return aTry.execute(parameters);
        } finally {
            tryStarted = 0;
        }
    }

    private static void watch(Thread runner, CountDownLatch done, String label) {
        try {
            while (!done.await(1, TimeUnit.SECONDS)) {
                long started = tryStarted;
                if (started != 0 && System.nanoTime() - started > TRY_BOUND.toNanos()) {
                    StringBuilder report = new StringBuilder("FUZZ HANG: one try of " + label + " has run for over "
                            + TRY_BOUND.toSeconds() + " s; halting the test JVM.\n  parameters: ");
                    for (Object parameter : tryParameters) {
                        report.append(parameter instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : String.valueOf(parameter))
                                .append(' ');
                    }
                    report.append("\n  stuck at:\n");
                    for (StackTraceElement frame : runner.getStackTrace()) {
                        report.append("    ").append(frame).append('\n');
                    }
                    System.err.println(report);
                    System.err.flush();
                    Runtime.getRuntime().halt(70);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
