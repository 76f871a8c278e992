package dev.socketserver.internal;

import dev.socketserver.internal.linux.ChildReaper;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The workers a {@link WorkerSupervisor} started together from one command line: the first
 * generation when it starts, one more at each reload. Each generation has heartbeat memory of its
 * own, so a new generation's readiness (each worker's first beat) is told apart from the beats of
 * the one it replaces. Read and changed under the supervisor's lock.
 */
final class WorkerGeneration {
    private static final System.Logger LOG = System.getLogger(Loggers.WORKERS);
    /** Past the drain deadline, how long a draining generation's workers get to exit before they are killed. */
    private static final long KILL_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** One worker number of a generation: the process serving it now, if any, and when to start the next. */
    static final class Slot {
        final WorkerGeneration generation;
        final int number;
        int pid;                  // 0: none running
        long delayNanos;          // the last restart delay; 0 before any restart
        long startAtNanos;        // when to start the next process, while pid is 0
        long lastBeat;            // the worker's heartbeat count when it last moved
        long lastProgressNanos;   // when it last moved, or the worker started
        boolean killed;           // sent SIGKILL for standing still

        Slot(WorkerGeneration generation, int number) {
            this.generation = generation;
            this.number = number;
        }
    }

    final int number;
    final WorkerHeartbeat heartbeat;
    final List<Slot> slots = new ArrayList<>();
    long killAtNanos;         // retiring: when what is left is killed
    boolean killed;           // retiring: SIGKILL sent

    WorkerGeneration(int number, int workers) throws IOException {
        this.number = number;
        this.heartbeat = WorkerHeartbeat.create(workers);
        for (int i = 1; i <= workers; i++) {
            slots.add(new Slot(this, i));
        }
    }

    /** Whether every worker runs and has beaten at least once: its serving loop turns. */
    boolean serving() {
        return slots.stream().allMatch(slot -> slot.pid != 0 && heartbeat.read(slot.number) > 0);
    }

    boolean allExited() {
        return slots.stream().allMatch(slot -> slot.pid == 0);
    }

    /** Sends {@code signal} to each worker that runs. */
    void signal(ChildReaper reaper, int signal) {
        for (Slot slot : slots) {
            if (slot.pid != 0) {
                reaper.signal(slot.pid, signal);
            }
        }
    }

    /** Asks each worker to drain ({@code SIGTERM}); {@link #endDrain} kills what is left a little after {@code drain}. */
    void drain(Duration drain, long nowNanos, ChildReaper reaper) {
        long drainNanos;
        try {
            drainNanos = drain.toNanos();
        } catch (ArithmeticException e) {
            drainNanos = Long.MAX_VALUE / 4;
        }
        killAtNanos = nowNanos + drainNanos + KILL_GRACE_NANOS;
        signal(reaper, ChildReaper.SIGTERM);
    }

    /**
     * For a generation that drains: kills what is left once the drain is over, and tells whether
     * every worker has exited (its heartbeat memory is then closed).
     */
    boolean endDrain(long nowNanos, ChildReaper reaper, String label) {
        if (allExited()) {
            heartbeat.close();
            LOG.log(Level.DEBUG, () -> "generation " + number + " of " + label + " has exited");
            return true;
        }
        if (!killed && nowNanos - killAtNanos >= 0) {
            killed = true;
            LOG.log(Level.WARNING, "generation " + number + " of " + label + " did not drain in time; killing pids " + pids());
            signal(reaper, ChildReaper.SIGKILL);
        }
        return false;
    }

    /** {@code 4242, 4243}: the pids of the workers that run. */
    String pids() {
        return slots.stream().filter(slot -> slot.pid != 0).map(slot -> Integer.toString(slot.pid)).collect(Collectors.joining(", "));
    }
}
