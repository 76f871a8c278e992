package dev.socketserver.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * How a worker process learns that its supervisor is gone: a pipe whose write end only the
 * supervisor holds (close-on-exec, so no child gets it) and whose read end each worker inherits.
 * When the supervisor exits, however it dies, the kernel closes the write end and a worker's
 * blocked {@code read} returns end-of-file.
 *
 * <p>Unlike polling {@code /proc} ({@link ProcessHandle#onExit()} on a process that is not one's
 * child), the wait needs no new descriptor, so it cannot fail when the worker has run out of them;
 * and unlike {@code prctl(PR_SET_PDEATHSIG)}, it follows the supervisor process, not the thread
 * that happened to spawn the worker (a virtual thread's carrier, or a thread that ends long before
 * the supervisor does).
 */
public final class SupervisorLink implements AutoCloseable {
    /** Descriptors at or above this in the supervisor, so that {@link Spawner} can copy them to 3, 4, ... */
    private static final int LOWEST_FD = 10;

    private final int readFd;
    private final int writeFd;
    private boolean closed;   // guarded by this

    private SupervisorLink(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    /** The supervisor's side: a new pipe, both ends close-on-exec. */
    public static SupervisorLink create() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            if (LibC.pipe2(state, fds, LibC.O_CLOEXEC) != 0) {
                throw LibC.error("pipe2", "for the workers' supervisor link", LibC.errno(state));
            }
            int read = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            int write = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            try {
                read = moveUp(state, read);
            } catch (IOException e) {
                LibC.close(state, write);
                throw e;
            }
            return new SupervisorLink(read, write);
        }
    }

    /**
     * {@code fd}, or a close-on-exec copy of it numbered {@value #LOWEST_FD} or more (closing
     * {@code fd}), so that it can be handed to {@link Spawner} among the inherited descriptors.
     */
    static int moveUp(MemorySegment state, int fd) throws IOException {
        if (fd >= LOWEST_FD) {
            return fd;
        }
        int copy = LibC.fcntl(state, fd, LibC.F_DUPFD_CLOEXEC, LOWEST_FD);
        int errno = LibC.errno(state);
        LibC.close(state, fd);
        if (copy < 0) {
            throw LibC.error("fcntl F_DUPFD_CLOEXEC", "", errno);
        }
        return copy;
    }

    /** The end a worker inherits. */
    public int workerEnd() {
        return readFd;
    }

    /** Closes both ends: workers still running then see their supervisor gone. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            LibC.close(state, writeFd);
            LibC.close(state, readFd);
        }
    }

    /**
     * The worker's side: blocks until the supervisor holding the other end of pipe {@code fd} is
     * gone (end-of-file). Makes {@code fd} close-on-exec first, so that the worker's own children
     * do not inherit it. Needs no new descriptor: under {@code EMFILE} it waits on as before.
     *
     * @throws IOException if the descriptor cannot be waited on or read (not open, not a pipe),
     *     which says nothing about the supervisor
     */
    public static void awaitSupervisorExit(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            int flags = LibC.fcntl(state, fd, LibC.F_GETFD, 0);
            if (flags < 0) {
                throw LibC.error("fcntl F_GETFD", "descriptor " + fd, LibC.errno(state));
            }
            LibC.fcntl(state, fd, LibC.F_SETFD, flags | LibC.FD_CLOEXEC);
            MemorySegment pollfd = arena.allocate(LibC.POLLFD_SIZE, 8);
            MemorySegment buffer = arena.allocate(1);
            while (true) {
                pollfd.set(ValueLayout.JAVA_INT, 0, fd);
                pollfd.set(ValueLayout.JAVA_SHORT, 4, LibC.POLLIN);
                pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                if (LibC.poll(state, pollfd, 1, -1) < 0) {
                    if (LibC.errno(state) == Errno.EINTR) {
                        continue;
                    }
                    throw LibC.error("poll", "descriptor " + fd, LibC.errno(state));
                }
                long n = LibC.read(state, fd, buffer, 1);
                if (n == 0) {
                    return;
                }
                if (n < 0 && LibC.errno(state) != Errno.EINTR && LibC.errno(state) != Errno.EAGAIN) {
                    throw LibC.error("read", "descriptor " + fd, LibC.errno(state));
                }
                // a byte (the supervisor never writes one) or nothing yet: wait on
            }
        }
    }
}
