package dev.socketserver;

import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.WorkerHeartbeat;
import dev.socketserver.internal.WorkerProcess;
import dev.socketserver.internal.WorkerSupervisor;
import dev.socketserver.internal.linux.SocketDescriptors;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A stream server's part in the worker-processes model: in the supervisor, the
 * {@link WorkerSupervisor} that runs the workers on its listener; in a worker, the heartbeat that
 * tells the supervisor its loop turns and the drain when the supervisor exits; in both, the drain
 * when the JVM exits. Does nothing in the other models. Part of {@link StreamServer}.
 *
 * <p>Threads: the serving thread supervises (in the supervisor) or beats (in a worker); the
 * JVM's shutdown hook and the supervisor-exit watcher drain the server; the closing thread stops
 * and awaits the workers.
 */
final class WorkerProcesses {
    private static final System.Logger WORKER_LOG = System.getLogger(Loggers.WORKERS);
    /** How long a worker whose supervisor died, or a supervisor stopped by a signal, drains. */
    private static final Duration ORPHAN_DRAIN = Duration.ofSeconds(30);

    private final StreamServer server;
    // volatile: set by serverActivate(), read by the serving thread, wakeUp() and the closing thread
    private volatile WorkerSupervisor supervisor;   // the supervisor of worker processes only
    private volatile WorkerHeartbeat heartbeat;     // a worker process: tells the supervisor the loop turns
    private Thread drainOnExit;                     // guarded by this: a shutdown hook of a supervisor or a worker

    WorkerProcesses(StreamServer server) {
        this.server = server;
    }

    /** In the supervisor: runs {@code processes}' workers on {@code listener}, once. */
    void superviseListener(ServerSocketChannel listener, ProcessModel processes) throws IOException {
        if (supervisor == null) {
            supervisor = new WorkerSupervisor(SocketDescriptors.fdOf(listener), processes.workers(),
                    WorkerSupervisor.ownCommandLine(), server.serverUri(), processes.workerTimeout());
        }
    }

    /** In a worker: beats, drains when the JVM exits, and drains and exits when the supervisor exits. */
    void startWorker() {
        heartbeat = WorkerHeartbeat.forWorker();
        startDrainOnExit(Duration.ofDays(1), "socketserver-worker-drain");   // the supervisor kills at its own deadline
        WorkerProcess.onSupervisorExit(() -> {
            WORKER_LOG.log(Level.WARNING, "the supervisor of worker " + WorkerProcess.number() + " has exited; draining for up to "
                    + ORPHAN_DRAIN.toSeconds() + " s and exiting");
            server.shutdown(ORPHAN_DRAIN);
        });
    }

    /** Whether this is the supervisor of worker processes, which accept in its place. */
    boolean isSupervisor() {
        return supervisor != null;
    }

    /** A worker's loop turned: tells the supervisor. */
    void beat() {
        WorkerHeartbeat beat = heartbeat;
        if (beat != null) {
            beat.beat();
        }
    }

    /** The supervisor's serving loop: keeps the workers running until {@code stop}, then asks them to stop. */
    void supervise(BooleanSupplier stop, long pollNanos, Runnable serviceActions) {
        startDrainOnExit(ORPHAN_DRAIN, "socketserver-supervisor-drain");
        supervisor.supervise(stop, pollNanos, serviceActions);
    }

    /** The pids of the worker processes running now; empty unless this is a supervisor. */
    Set<Integer> pids() {
        WorkerSupervisor running = supervisor;
        return running == null ? Set.of() : running.workerPids();
    }

    /** Wakes the supervisor's loop. */
    void wakeUp() {
        WorkerSupervisor running = supervisor;
        if (running != null) {
            running.wakeUp();
        }
    }

    /** In the supervisor: asks for a new generation of workers, which replaces the old one once it serves; false elsewhere. */
    boolean reload(Duration drain) {
        WorkerSupervisor running = supervisor;
        if (running == null) {
            return false;
        }
        running.requestReload(drain);
        return true;
    }

    /** Asks the workers to stop: the server is closing. */
    void stopWorkers() {
        WorkerSupervisor running = supervisor;
        if (running != null) {
            running.stopWorkers();
        }
    }

    /** Asks the workers to stop, gives them until {@code deadlineNanos}, and closes the supervisor; whether they exited in time. */
    boolean stopAndAwait(long deadlineNanos) {
        WorkerSupervisor running = supervisor;
        running.stopWorkers();
        boolean inTime = running.awaitWorkers(deadlineNanos);
        running.close();
        return inTime;
    }

    /** Drains the server when the JVM exits (on {@code SIGTERM}, without a signal handler of the program's), once. */
    private synchronized void startDrainOnExit(Duration drain, String name) {
        if (drainOnExit != null || server.isClosed()) {
            return;
        }
        drainOnExit = new Thread(() -> {
            WorkerSupervisor running = supervisor;
            if (server.isClosed() && running != null) {
                // the program is exiting in the middle of its own drain: it chose not to wait, so neither do the workers
                running.awaitWorkers(System.nanoTime());
            } else {
                server.shutdown(drain);
            }
        }, name);
        try {
            Runtime.getRuntime().addShutdownHook(drainOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already exiting
        }
    }

    /** The server is closed: the JVM's exit need not drain it any more (unless that exit is what closes it). */
    synchronized void stopDrainOnExit() {
        if (drainOnExit != null && drainOnExit != Thread.currentThread()) {
            try {
                Runtime.getRuntime().removeShutdownHook(drainOnExit);
            } catch (IllegalStateException e) {
                // the JVM is exiting, and the hook may be what closes us
            }
        }
    }
}
