package dev.socketserver;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * SIGTERM and SIGINT, caught so that a server drains and the program exits 0 instead of taking the
 * JVM's default action (exit status 143 or 130, with no drain): what a service manager (systemd,
 * Kubernetes, Docker) sends to stop a service. The first signal completes {@link #first()}, any
 * later one {@link #second()}; {@link Server#serveUntil} drains on the first and cuts the drain
 * short on the second.
 *
 * <p>Install before telling anyone the server is up (printing its address, reporting ready), so
 * that a stop that comes at once is caught: {@link Server#serveUntilStopped(java.time.Duration)}
 * installs them itself. {@link #uninstall()} gives the signals back their handlers of before.
 *
 * <p>This uses {@code sun.misc.Signal} (module {@code jdk.unsupported}): the JDK has no supported
 * way to handle a signal without the JVM exiting. A signal the JVM reserves (under {@code -Xrs}) or
 * that was ignored when the process started (SIGINT of a background job) keeps that behaviour.
 */
public final class StopSignals {
    private static final List<String> NAMES = List.of("TERM", "INT");

    private final AtomicInteger received = new AtomicInteger();
    private final CompletableFuture<String> first = new CompletableFuture<>();
    private final CompletableFuture<String> second = new CompletableFuture<>();
    private final List<Signal> caught = new ArrayList<>();
    private final List<SignalHandler> before = new ArrayList<>();
    private volatile boolean reloads;   // SIGHUP is caught: written once by installWithReload, read by serving threads
    private final AtomicLong hangups = new AtomicLong();
    // completed by the next SIGHUP, then replaced: a SIGHUP during a reload is seen once it is done
    private final AtomicReference<CompletableFuture<Void>> nextReload = new AtomicReference<>(new CompletableFuture<>());

    private StopSignals() {
    }

    /** Catches SIGTERM and SIGINT from now on. */
    public static StopSignals install() {
        var signals = new StopSignals();
        for (String name : NAMES) {
            try {
                Signal signal = new Signal(name);
                SignalHandler previous = Signal.handle(signal, signals::onSignal);
                signals.caught.add(signal);
                signals.before.add(previous);
            } catch (IllegalArgumentException reserved) {
                // left to the JVM's default action
            }
        }
        return signals;
    }

    /**
     * Catches SIGTERM and SIGINT as {@link #install()} does, and SIGHUP too: {@link Server#serveUntil}
     * then reloads on SIGHUP without refusing a client. A server of worker processes starts a new
     * generation of workers from the command line as it is now (a new jar at the same path too),
     * waits until each serves, and drains the old generation; any other server starts its successor
     * (the same command line) with its listening socket, waits until it serves, then drains and
     * returns as after SIGTERM, so the program exits. What fails to start is stopped, logged in one
     * line, and the old server serves on. Without a reload, SIGHUP would end the JVM.
     *
     * <p>A successor tells its predecessor that it serves when it reaches {@code serveUntil}, so a
     * program that reloads this way serves through {@link Server#serveUntil} (or
     * {@link Server#serveUntilStopped}); a successor that never reports ready is killed after 30 s.
     * A worker process ignores SIGHUP: its supervisor replaces it.
     */
    public static StopSignals installWithReload() {
        StopSignals signals = install();
        try {
            Signal hangup = new Signal("HUP");
            SignalHandler previous = Signal.handle(hangup, ignored -> {
                signals.hangups.incrementAndGet();
                signals.nextReload.getAndSet(new CompletableFuture<>()).complete(null);
            });
            signals.caught.add(hangup);
            signals.before.add(previous);
            signals.reloads = true;
        } catch (IllegalArgumentException reserved) {
            // left to the JVM's default action
        }
        return signals;
    }

    /** Whether SIGHUP is caught ({@link #installWithReload()}). */
    boolean catchesReload() {
        return reloads;
    }

    /** How many SIGHUPs have arrived since {@link #installWithReload()}. */
    long hangups() {
        return hangups.get();
    }

    /** Completes at the next SIGHUP (after {@link #installWithReload()}); take it before looking at {@link #hangups()}, so none is missed. */
    CompletableFuture<Void> nextReload() {
        return nextReload.get();
    }

    /** A reload handed the server's socket to a successor: stop as on a first signal. */
    void stopAfterReload() {
        if (received.incrementAndGet() == 1) {
            first.complete("SIGHUP");
        }
    }

    /**
     * Completes with the signal's name ({@code SIGTERM} or {@code SIGINT}) when the first arrives;
     * with {@code SIGHUP} when a reload handed the server's socket to a successor.
     */
    public CompletableFuture<String> first() {
        return first;
    }

    /** Completes with the signal's name when a second signal arrives. */
    public CompletableFuture<String> second() {
        return second;
    }

    /** Gives SIGTERM and SIGINT back the handlers they had before {@link #install()}. */
    public void uninstall() {
        for (int i = 0; i < caught.size(); i++) {
            Signal.handle(caught.get(i), before.get(i));
        }
    }

    private void onSignal(Signal signal) {
        String name = "SIG" + signal.getName();
        (received.incrementAndGet() == 1 ? first : second).complete(name);
    }
}
