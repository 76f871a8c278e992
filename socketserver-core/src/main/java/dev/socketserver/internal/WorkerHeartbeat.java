package dev.socketserver.internal;

import dev.socketserver.internal.linux.SharedMemory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * How a supervisor sees that its workers still serve: a little memory shared by the supervisor and
 * every worker, one counter per worker number, that a worker's serving loop increments each time
 * it turns (at least twice a second while idle). A counter that stops moving means the worker is
 * stopped ({@code SIGSTOP}), stuck, or still starting. Counters, not clocks, so no two processes
 * need to agree on the time.
 *
 * <p>The memory is an anonymous file ({@link SharedMemory}) that each worker inherits as a
 * descriptor, maps, and closes: no file in {@code /dev/shm} or anywhere else, so none is left
 * behind when the supervisor is killed.
 */
public final class WorkerHeartbeat implements AutoCloseable {
    /** Holds, in a worker's environment, the number of the descriptor it inherits the counters on. */
    public static final String FD_VARIABLE = "SOCKETSERVER_HEARTBEAT_FD";

    private static final VarHandle LONGS = ValueLayout.JAVA_LONG.varHandle();

    private final SharedMemory memory;
    private final MemorySegment counters;
    private final int slot;          // a worker's own slot; -1 in the supervisor
    private long beats;              // a worker's own count, written only by its serving thread

    private WorkerHeartbeat(SharedMemory memory, int slot) {
        this.memory = memory;
        this.counters = memory.segment();
        this.slot = slot;
    }

    /** The supervisor's side: a counter for each of {@code workers} workers, numbered from 1. */
    public static WorkerHeartbeat create(int workers) throws IOException {
        return new WorkerHeartbeat(SharedMemory.create("socketserver-heartbeat", 8L * (workers + 1)), -1);
    }

    /**
     * A worker's side: its own counter in the memory its supervisor handed over, or null when
     * started without it. The first call maps the descriptor named by {@link #FD_VARIABLE} and
     * closes it; later calls return the same heartbeat.
     */
    public static synchronized WorkerHeartbeat forWorker() {
        if (!mapped) {
            mapped = true;
            own = mapInherited();
        }
        return own;
    }

    private static boolean mapped;          // guarded by WorkerHeartbeat.class
    private static WorkerHeartbeat own;     // guarded by WorkerHeartbeat.class

    private static WorkerHeartbeat mapInherited() {
        String fd = System.getenv(FD_VARIABLE);
        int number = WorkerProcess.number();
        if (fd == null || number < 1) {
            return null;
        }
        SharedMemory memory;
        try {
            memory = SharedMemory.inherited(Integer.parseInt(fd));
        } catch (IOException | RuntimeException e) {
            return null;   // the supervisor will find this worker silent and replace it
        }
        if (memory.segment().byteSize() < 8L * (number + 1)) {
            memory.close();
            return null;
        }
        return new WorkerHeartbeat(memory, number);
    }

    /** The descriptor to hand to a worker; -1 in a worker. */
    public int fd() {
        return memory.fd();
    }

    /** A worker's serving loop turned. */
    public void beat() {
        LONGS.setRelease(counters, (long) slot * 8, ++beats);
    }

    /** The count of worker {@code number}. */
    public long read(int number) {
        return (long) LONGS.getAcquire(counters, (long) number * 8);
    }

    /** Resets worker {@code number}'s count before a new worker takes the number. */
    public void reset(int number) {
        LONGS.setRelease(counters, (long) number * 8, 0L);
    }

    /** In the supervisor, unmaps the counters; a worker keeps its mapping until it exits. */
    @Override
    public void close() {
        if (slot < 0) {
            memory.close();
        }
    }
}
