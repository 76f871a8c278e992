package dev.socketserver.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How a supervisor sees that its workers still serve: a small file mapped by the supervisor and
 * every worker, one counter per worker number, that a worker's serving loop increments each time
 * it turns (at least twice a second while idle). A counter that stops moving means the worker is
 * stopped ({@code SIGSTOP}), stuck, or still starting. Counters, not clocks, so no two processes
 * need to agree on the time.
 */
public final class WorkerHeartbeat implements AutoCloseable {
    /** Holds the heartbeat file's path in a worker's environment. */
    public static final String PATH_VARIABLE = "SOCKETSERVER_HEARTBEAT";

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final Path path;
    private final MappedByteBuffer counters;
    private final int slot;          // a worker's own slot; -1 in the supervisor
    private long beats;              // a worker's own count, written only by its serving thread

    private WorkerHeartbeat(Path path, MappedByteBuffer counters, int slot) {
        this.path = path;
        this.counters = counters;
        this.slot = slot;
    }

    /** The supervisor's side: a new file with a counter for each of {@code workers} workers, numbered from 1. */
    public static WorkerHeartbeat create(int workers) throws IOException {
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        Path file = Files.createTempFile(dir, "socketserver-heartbeat-" + ProcessHandle.current().pid() + "-", "");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return new WorkerHeartbeat(file, channel.map(FileChannel.MapMode.READ_WRITE, 0, 8L * (workers + 1)), -1);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** A worker's side: its own counter in the file its supervisor named, or null when started without one. */
    public static WorkerHeartbeat forWorker() {
        String file = System.getenv(PATH_VARIABLE);
        int number = WorkerProcess.number();
        if (file == null || number < 1) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(Path.of(file), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (channel.size() < 8L * (number + 1)) {
                return null;
            }
            return new WorkerHeartbeat(Path.of(file), channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size()), number);
        } catch (IOException | RuntimeException e) {
            return null;   // the supervisor will find this worker silent and replace it
        }
    }

    /** The file, to name in a worker's environment. */
    public Path path() {
        return path;
    }

    /** A worker's serving loop turned. */
    public void beat() {
        LONGS.setRelease(counters, slot * 8, ++beats);
    }

    /** The count of worker {@code number}. */
    public long read(int number) {
        return (long) LONGS.getAcquire(counters, number * 8);
    }

    /** Resets worker {@code number}'s count before a new worker takes the number. */
    public void reset(int number) {
        LONGS.setRelease(counters, number * 8, 0L);
    }

    /** In the supervisor, removes the file; a worker keeps its mapping until it exits. */
    @Override
    public void close() {
        if (slot < 0) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // a stale file in /dev/shm is all that is left
            }
        }
    }
}
