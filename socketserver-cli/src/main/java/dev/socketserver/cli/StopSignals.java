package dev.socketserver.cli;

import sun.misc.Signal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGTERM and SIGINT, caught so that the command drains and exits 0 instead of taking the JVM's
 * default action (exit status 143 or 130, with no drain). The first signal completes
 * {@link #first()}, any later one {@link #second()}.
 *
 * <p>This uses {@code sun.misc.Signal} (module {@code jdk.unsupported}) because the JDK has no
 * supported way to handle a signal without the JVM exiting. Handlers run in short-lived threads
 * the JVM starts for each signal.
 */
final class StopSignals {
    private final AtomicInteger received = new AtomicInteger();
    private final CompletableFuture<String> first = new CompletableFuture<>();
    private final CompletableFuture<String> second = new CompletableFuture<>();

    private StopSignals() {
    }

    /**
     * Catches SIGTERM and SIGINT from now on. A signal the JVM reserves (under {@code -Xrs}) or that
     * was ignored when the process started (SIGINT of a background job) keeps that behaviour.
     */
    static StopSignals install() {
        var signals = new StopSignals();
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), signals::onSignal);
            } catch (IllegalArgumentException reserved) {
                // left to the JVM's default action
            }
        }
        return signals;
    }

    /** Completes with the signal's name ({@code SIGTERM} or {@code SIGINT}) when the first arrives. */
    CompletableFuture<String> first() {
        return first;
    }

    /** Completes with the signal's name when a second signal arrives. */
    CompletableFuture<String> second() {
        return second;
    }

    private void onSignal(Signal signal) {
        String name = "SIG" + signal.getName();
        (received.incrementAndGet() == 1 ? first : second).complete(name);
    }
}
