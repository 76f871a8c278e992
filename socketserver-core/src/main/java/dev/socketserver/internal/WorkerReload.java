package dev.socketserver.internal;

import dev.socketserver.internal.linux.ChildReaper;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reloads of a {@link WorkerSupervisor}: the new generation a reload starts, until each of its
 * workers serves (its first heartbeat) and it replaces the one that served, or it fails and is
 * stopped; and the old generations that drain. The supervisor starts the new generation's workers.
 * Read and changed under the supervisor's lock.
 */
final class WorkerReload {
    private static final System.Logger LOG = System.getLogger(Loggers.WORKERS);
    /** While a new generation starts, how often the supervisor looks for its first heartbeats. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final String label;
    private final int workers;
    private final long timeoutNanos;
    private final ChildReaper reaper;
    private Duration requested;           // a reload's drain, until the reload starts
    private WorkerGeneration next;        // started by a reload, not yet serving
    private long nextReadyByNanos;        // when next must serve
    private Duration nextDrain;           // the drain that retires the serving generation once next serves
    private final List<WorkerGeneration> retiring = new ArrayList<>();   // old generations draining

    WorkerReload(String label, int workers, long timeoutNanos, ChildReaper reaper) {
        this.label = label;
        this.workers = workers;
        this.timeoutNanos = timeoutNanos;
        this.reaper = reaper;
    }

    /** Asks for a reload whose old generation drains for {@code drain}; one asked for during a reload starts after it. */
    void request(Duration drain) {
        requested = drain;
    }

    /** Whether a reload was asked for and none is under way. */
    boolean due() {
        return requested != null && next == null;
    }

    /**
     * Makes the new generation of a {@linkplain #due() due} reload, which must serve within the
     * worker timeout; null if it cannot be made (logged: {@code current} serves on).
     */
    WorkerGeneration startNext(WorkerGeneration current) {
        try {
            next = new WorkerGeneration(current.number + 1, workers);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "reload of " + label + " failed: " + e + "; the workers of generation " + current.number + " serve on");
            requested = null;
            return null;
        }
        nextDrain = requested;
        requested = null;
        nextReadyByNanos = System.nanoTime() + timeoutNanos;
        return next;
    }

    /** Whether {@code generation} is the new one, started and not yet serving. */
    boolean starting(WorkerGeneration generation) {
        return generation == next;
    }

    /** {@code waitNanos}, cut short to when the reload needs a look: a new generation's first beats, a draining generation's kill. */
    long nextLook(long waitNanos, long nowNanos) {
        long wait = waitNanos;
        if (next != null || requested != null) {
            wait = Math.min(wait, POLL_NANOS);
        }
        for (WorkerGeneration old : retiring) {
            if (!old.killed) {
                wait = Math.min(wait, old.killAtNanos - nowNanos);
            }
        }
        return wait;
    }

    /**
     * Promotes the new generation if it serves, or gives up on it if it did not in time, and lets
     * go of old generations that have exited; returns the generation that serves now.
     */
    WorkerGeneration advance(WorkerGeneration current, long nowNanos) {
        WorkerGeneration serving = current;
        if (next != null && next.serving()) {
            serving = promoteNext(current, nowNanos);
        } else if (next != null && nowNanos - nextReadyByNanos >= 0) {
            fail("the new generation did not serve within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms", current);
        }
        retiring.removeIf(old -> old.endDrain(nowNanos, reaper, label));
        return serving;
    }

    /** The new generation serves; the old one drains. */
    private WorkerGeneration promoteNext(WorkerGeneration old, long nowNanos) {
        WorkerGeneration promoted = next;
        next = null;
        LOG.log(Level.INFO, "reload of " + label + ": generation " + promoted.number + " serves (pids " + promoted.pids() + "); draining generation "
                + old.number + " (pids " + old.pids() + ") for up to " + nextDrain.toMillis() + " ms");
        old.drain(nextDrain, nowNanos, reaper);
        retiring.add(old);
        for (WorkerGeneration.Slot slot : promoted.slots) {
            slot.lastBeat = promoted.heartbeat.read(slot.number);
            slot.lastProgressNanos = nowNanos;
        }
        return promoted;
    }

    /** Gives up on the new generation, which drains as an old one; {@code current} serves on. */
    void fail(String reason, WorkerGeneration current) {
        WorkerGeneration failed = next;
        if (failed == null) {
            return;
        }
        next = null;
        LOG.log(Level.ERROR, "reload of " + label + " failed: " + reason + "; the workers of generation " + current.number + " serve on");
        failed.drain(nextDrain, System.nanoTime(), reaper);
        retiring.add(failed);
    }

    /** Closes the heartbeat memory of the new generation and of the old ones. */
    void close() {
        if (next != null) {
            next.heartbeat.close();
        }
        retiring.forEach(old -> old.heartbeat.close());
    }
}
