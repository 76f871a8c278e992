package dev.socketserver;

import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.WorkerProcess;
import dev.socketserver.internal.WorkerSupervisor;
import dev.socketserver.internal.linux.Handover;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ExecutionException;

/**
 * {@link Server#serveUntil}'s reload on SIGHUP ({@link StopSignals#installWithReload()}): a server
 * of worker processes replaces its workers ({@code WorkerSupervisor}); any other server starts its
 * successor with its socket ({@link Handover}) and, once the successor serves, stops as after
 * SIGTERM. In a successor, it also tells the predecessor that this process serves, as soon as
 * {@code serveUntil} begins.
 *
 * <p>Threads: the signal completes a future; the platform daemon thread {@code socketserver-reload}
 * waits for it and does the reload, while the serving thread serves on.
 */
final class SignalledReload implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Loggers.SERVER);
    /** How long a successor may take to start and report ready before it is killed and the reload given up. */
    static final Duration SUCCESSOR_READY_TIMEOUT = Duration.ofSeconds(30);

    private final Server server;
    private final StopSignals signals;
    private final Duration drain;
    private final Thread thread;   // null when SIGHUP is not caught, or in a worker process
    private volatile boolean closed;

    private SignalledReload(Server server, StopSignals signals, Duration drain, boolean watching) {
        this.server = server;
        this.signals = signals;
        this.drain = drain;
        this.thread = watching ? Thread.ofPlatform().daemon().name("socketserver-reload").unstarted(this::run) : null;
    }

    /** Reports this process ready to a predecessor, if it has one, and reloads on each SIGHUP until closed. */
    static SignalledReload watch(Server server, StopSignals signals, Duration drain) {
        boolean worker = WorkerProcess.isWorker();   // a worker is replaced by its supervisor, and ignores SIGHUP
        if (!worker) {
            Handover.signalReady();
        }
        var reload = new SignalledReload(server, signals, drain, signals.catchesReload() && !worker);
        if (reload.thread != null) {
            reload.thread.start();
        }
        return reload;
    }

    private void run() {
        long handled = 0;   // a SIGHUP that came after the signals were installed, before serving began, counts too
        while (!closed) {
            var next = signals.nextReload();
            if (signals.hangups() == handled) {
                try {
                    next.get();
                } catch (InterruptedException e) {
                    return;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a reload request cannot fail", e);
                }
            }
            handled = signals.hangups();   // several SIGHUPs during one reload make one more reload
            if (closed || signals.first().isDone() || server.isDraining()) {
                return;
            }
            reload();
        }
    }

    private void reload() {
        if (server instanceof StreamServer stream && stream.reloadWorkers(drain)) {
            return;   // the supervisor logs what happens
        }
        String uri = server.serverUri();
        LOG.log(Level.INFO, () -> "SIGHUP: starting a successor to serve " + uri);
        Handover.Outcome outcome;
        try {
            outcome = Handover.startSuccessor(WorkerSupervisor.ownCommandLine(), server.serverAddress(), SUCCESSOR_READY_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "reload of " + uri + " failed: cannot start a successor: " + e + "; pid " + ProcessHandle.current().pid() + " serves on");
            return;
        }
        if (!outcome.ready()) {
            LOG.log(Level.ERROR, "reload of " + uri + " failed: the successor " + outcome.failure() + "; pid " + ProcessHandle.current().pid() + " serves on");
            return;
        }
        LOG.log(Level.INFO, () -> "reload: pid " + outcome.pid() + " serves " + uri + "; draining this process (pid "
                + ProcessHandle.current().pid() + ") for up to " + drain.toMillis() + " ms");
        closed = true;
        signals.stopAfterReload();
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
