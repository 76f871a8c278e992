package dev.socketserver.internal;

import dev.socketserver.internal.linux.ChildReaper;
import dev.socketserver.internal.linux.Handover;
import dev.socketserver.internal.linux.InheritedSockets;
import dev.socketserver.internal.linux.Spawner;
import dev.socketserver.internal.linux.SupervisorLink;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The supervisor's side of {@code Concurrency.workerProcesses}: starts the workers with the
 * listening socket on their standard input, restarts those that exit with a growing delay, and
 * stops them.
 *
 * <p>Besides the socket, each worker inherits descriptor 3, the read end of a pipe whose write end
 * only this process holds ({@link SupervisorLink}: end-of-file there tells the worker that its
 * supervisor is gone, however it died), and descriptor 4, the heartbeat's memory
 * ({@link WorkerHeartbeat}), each named in the worker's environment.
 */
public final class WorkerSupervisor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Loggers.WORKERS);
    static final long FIRST_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long MAX_DELAY_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** A worker that ran this long was healthy: its next restart starts the backoff over. */
    static final long HEALTHY_RUN_NANOS = TimeUnit.SECONDS.toNanos(10);

    private record Ended(WorkerGeneration.Slot slot, int pid, ChildReaper.Exit exit) {
    }

    private final int listenerFd;
    private final List<String> command;
    private final String label;
    private final long timeoutNanos;
    private final int workers;
    private final SupervisorLink link;
    private final ChildReaper reaper;
    // the generations are read and changed by the supervising thread, under lock (exits arrive from the reaper's thread)
    private WorkerGeneration current;                             // guarded by lock: the generation that serves
    private final WorkerReload reload;                            // guarded by lock
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Ended> ended = new ArrayDeque<>();   // guarded by lock
    private boolean supervising;                                  // guarded by lock
    private boolean woken;                                        // guarded by lock
    private long restarts;                                        // guarded by lock
    private volatile boolean stopping;

    /**
     * @param listenerFd the listening socket, handed to each worker as its standard input
     * @param workers how many workers to keep running
     * @param command the command line that starts a worker: this process's own
     * @param label the server, for log lines
     * @param timeout how long a worker's serving loop may stand still before it is killed
     */
    public WorkerSupervisor(int listenerFd, int workers, List<String> command, String label, Duration timeout) throws IOException {
        this.listenerFd = listenerFd;
        this.command = List.copyOf(command);
        this.label = label;
        this.timeoutNanos = timeout.toNanos();
        this.workers = workers;
        this.current = new WorkerGeneration(1, workers);
        try {
            this.link = SupervisorLink.create();
        } catch (IOException | RuntimeException e) {
            current.heartbeat.close();
            throw e;
        }
        try {
            this.reaper = new ChildReaper();
        } catch (IOException | RuntimeException e) {
            link.close();
            current.heartbeat.close();
            throw e;
        }
        this.reload = new WorkerReload(label, workers, timeoutNanos, reaper);
    }

    /** This process's command line, as the kernel has it: the command that starts a worker. */
    public static List<String> ownCommandLine() throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        List<String> argv = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                argv.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < raw.length) {
            argv.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
        }
        if (argv.isEmpty()) {
            throw new IOException("cannot read this process's command line from /proc/self/cmdline, needed to start workers");
        }
        return argv;
    }

    /**
     * Starts the workers that are not running and keeps them running until {@code stop} turns true
     * after a {@link #wakeUp()}, then asks them to stop ({@link #stopWorkers()}). Runs
     * {@code serviceActions} about once per {@code pollNanos}.
     */
    public void supervise(BooleanSupplier stop, long pollNanos, Runnable serviceActions) {
        lock.lock();
        try {
            supervising = true;
            stopping = false;
            long now = System.nanoTime();
            for (WorkerGeneration.Slot slot : current.slots) {
                if (slot.pid == 0) {
                    slot.startAtNanos = now;
                }
            }
        } finally {
            lock.unlock();
        }
        try {
            while (!stop.getAsBoolean()) {
                startDueWorkers(stop);
                long wait = awaitChange(pollNanos);
                if (stop.getAsBoolean()) {
                    break;
                }
                handleExits();
                killStandingWorkers();
                advanceReload();
                if (wait <= 0) {
                    serviceActions.run();
                }
            }
        } finally {
            lock.lock();
            try {
                supervising = false;
            } finally {
                lock.unlock();
            }
            handleExits();
            stopWorkers();
        }
    }

    /** Waits for an exit, a wake-up, the next due start or the poll interval; returns what was left of the poll interval. */
    private long awaitChange(long pollNanos) {
        lock.lock();
        try {
            long now = System.nanoTime();
            long wait = pollNanos;
            for (WorkerGeneration.Slot slot : current.slots) {
                if (slot.pid == 0) {
                    wait = Math.min(wait, slot.startAtNanos - now);
                }
            }
            long remaining = reload.nextLook(wait, now);
            while (ended.isEmpty() && !woken && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
            woken = false;
            return remaining;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            lock.unlock();
        }
    }

    private void startDueWorkers(BooleanSupplier stop) {
        long now = System.nanoTime();
        List<WorkerGeneration.Slot> slots;
        lock.lock();
        try {
            slots = List.copyOf(current.slots);
        } finally {
            lock.unlock();
        }
        for (WorkerGeneration.Slot slot : slots) {
            boolean due;
            lock.lock();
            try {
                due = slot.pid == 0 && now - slot.startAtNanos >= 0;
            } finally {
                lock.unlock();
            }
            if (due && !stop.getAsBoolean() && !stopping) {
                start(slot);
            }
        }
    }

    /** Kills each worker whose heartbeat has not moved for the timeout; its exit then starts a successor. */
    private void killStandingWorkers() {
        long now = System.nanoTime();
        lock.lock();
        try {
            for (WorkerGeneration.Slot slot : current.slots) {
                if (slot.pid == 0 || slot.killed) {
                    continue;
                }
                long beat = current.heartbeat.read(slot.number);
                if (beat != slot.lastBeat) {
                    slot.lastBeat = beat;
                    slot.lastProgressNanos = now;
                } else if (now - slot.lastProgressNanos >= timeoutNanos) {
                    slot.killed = true;
                    int pid = slot.pid;
                    LOG.log(Level.WARNING, () -> "worker " + slot.number + " of " + label + " (pid " + pid + ") has not served for "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (" + (beat == 0 ? "it never started serving" : "stopped or stuck")
                            + "); killing it");
                    reaper.signal(pid, ChildReaper.SIGKILL);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void start(WorkerGeneration.Slot slot) {
        String failure = spawn(slot);
        if (failure != null) {
            lock.lock();
            try {
                long delay = nextDelay(slot, 0);
                slot.startAtNanos = System.nanoTime() + delay;
                LOG.log(Level.ERROR, "cannot start worker " + slot.number + " of " + label + " (" + command.getFirst() + "): " + failure
                        + "; trying again in " + TimeUnit.NANOSECONDS.toMillis(delay) + " ms");
            } finally {
                lock.unlock();
            }
        }
    }

    /** Starts a process for {@code slot} and watches it; null, or why it could not. */
    private String spawn(WorkerGeneration.Slot slot) {
        Map<String, String> environment = new LinkedHashMap<>(System.getenv());
        // a worker serves the socket on its standard input; systemd's variables name this process's descriptors,
        // and a predecessor's (Handover) this process's too
        environment.keySet().removeAll(List.of(InheritedSockets.LISTEN_PID, InheritedSockets.LISTEN_FDS, InheritedSockets.LISTEN_FDNAMES,
                InheritedSockets.HANDOVER_PARENT_PID, Handover.READY_FD_VARIABLE));
        environment.put(WorkerProcess.NUMBER_VARIABLE, Integer.toString(slot.number));
        environment.put(WorkerProcess.SUPERVISOR_FD_VARIABLE, "3");
        environment.put(WorkerHeartbeat.FD_VARIABLE, "4");
        WorkerHeartbeat heartbeat = slot.generation.heartbeat;
        heartbeat.reset(slot.number);
        int pid;
        try {
            pid = Spawner.spawn(command, environment, listenerFd, Spawner.INHERIT, List.of(link.workerEnd(), heartbeat.fd()));
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
        lock.lock();
        try {
            slot.pid = pid;
            slot.killed = false;
            slot.lastBeat = 0;
            slot.lastProgressNanos = System.nanoTime();
        } finally {
            lock.unlock();
        }
        LOG.log(Level.DEBUG, () -> "worker " + slot.number + " (generation " + slot.generation.number + ") of " + label + " started: pid " + pid);
        try {
            reaper.track(pid).whenComplete((exit, failure) -> {
                lock.lock();
                try {
                    ended.add(new Ended(slot, pid, exit));
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            });
            if (stopping) {
                reaper.signal(pid, ChildReaper.SIGTERM);   // started while stopWorkers() ran
            }
            return null;
        } catch (IOException | IllegalStateException e) {
            // the reaper killed and reaped it
            lock.lock();
            try {
                slot.pid = 0;
            } finally {
                lock.unlock();
            }
            return "cannot watch pid " + pid + ": " + e;
        }
    }

    /** Called holding the lock: the delay before starting a slot again, which doubles while its workers die young. */
    private static long nextDelay(WorkerGeneration.Slot slot, long ranNanos) {
        if (ranNanos >= HEALTHY_RUN_NANOS || slot.delayNanos == 0) {
            slot.delayNanos = FIRST_DELAY_NANOS;
        } else {
            slot.delayNanos = Math.min(slot.delayNanos * 2, MAX_DELAY_NANOS);
        }
        return slot.delayNanos;
    }

    private void handleExits() {
        lock.lock();
        try {
            Ended e;
            while ((e = ended.poll()) != null) {
                Ended end = e;
                if (end.slot().pid == end.pid()) {
                    end.slot().pid = 0;
                }
                if (reload.starting(end.slot().generation) && supervising) {
                    reload.fail("worker " + end.slot().number + " of the new generation " + end.exit() + " before it served", current);
                    continue;
                }
                if (!supervising || end.slot().generation != current) {
                    LOG.log(Level.DEBUG, () -> "worker " + end.slot().number + " of " + label + " stopped: " + end.exit());
                    continue;
                }
                long delay = nextDelay(end.slot(), end.exit().runTime().toNanos());
                end.slot().startAtNanos = System.nanoTime() + delay;
                restarts++;
                LOG.log(Level.WARNING, () -> "worker " + end.slot().number + " of " + label + ": " + end.exit()
                        + "; starting it again in " + TimeUnit.NANOSECONDS.toMillis(delay) + " ms");
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks for a reload: a new generation of workers is started from the command line (as it is
     * on disk now); once each of them serves (its first heartbeat), the old generation is asked to
     * drain ({@code SIGTERM}) and killed what is left after {@code drain}. A new generation that
     * fails to start (a worker exits, or does not serve within the worker timeout) is stopped and
     * the old one serves on; the failure is logged in one line. A request during a reload is done
     * after it; ignored while stopping.
     */
    public void requestReload(Duration drain) {
        lock.lock();
        try {
            if (stopping || !supervising) {
                return;
            }
            reload.request(drain);
            woken = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Starts a requested reload, promotes a new generation that serves or gives up on one that fails, and retires old generations. */
    private void advanceReload() {
        WorkerGeneration starting = null;
        lock.lock();
        try {
            if (reload.due() && !stopping) {
                starting = reload.startNext(current);
                if (starting == null) {
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
        if (starting != null) {
            LOG.log(Level.INFO, "reload of " + label + ": starting generation " + starting.number + " (" + workers + " workers)");
            for (WorkerGeneration.Slot slot : starting.slots) {
                String failure = spawn(slot);
                if (failure != null) {
                    lock.lock();
                    try {
                        reload.fail("cannot start worker " + slot.number + " of the new generation (" + command.getFirst() + "): " + failure, current);
                    } finally {
                        lock.unlock();
                    }
                    break;
                }
            }
        }
        lock.lock();
        try {
            current = reload.advance(current, System.nanoTime());
        } finally {
            lock.unlock();
        }
    }

    /** Makes {@link #supervise} look at its stop condition now. */
    public void wakeUp() {
        lock.lock();
        try {
            woken = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Asks every worker to drain and exit ({@code SIGTERM}), once until the next {@link #supervise}. */
    public void stopWorkers() {
        lock.lock();
        try {
            if (stopping) {
                return;   // a second SIGTERM would cut a worker's drain short
            }
            stopping = true;
        } finally {
            lock.unlock();
        }
        reaper.signalAll(ChildReaper.SIGTERM);
    }

    /**
     * Waits until {@code deadlineNanos} for the workers to exit, then kills the rest. Call after
     * {@link #stopWorkers()}.
     *
     * @return whether all exited in time
     */
    public boolean awaitWorkers(long deadlineNanos) {
        return reaper.awaitAllOrKill(deadlineNanos);
    }

    /** The pids of the workers running now. */
    public Set<Integer> workerPids() {
        return reaper.livePids();
    }

    /** How many times a worker was started again after it exited. */
    public long restarts() {
        lock.lock();
        try {
            return restarts;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes no new workers; the reaper ends once the running ones are reaped. Workers still running
     * (there are none after {@link #awaitWorkers}) see their supervisor gone, drain and exit.
     */
    @Override
    public void close() {
        reaper.close();
        link.close();
        lock.lock();
        try {
            current.heartbeat.close();
            reload.close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "supervisor of " + workers + " workers for " + label;
    }
}
