package dev.socketserver.internal.linux;

import dev.socketserver.internal.Loggers;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reaps the child processes it is given, and only those: a process per connection must never be
 * left a zombie, and a {@code waitpid(-1)} would steal the exit status of children the JDK or the
 * application started. Linux 5.4 or later.
 *
 * <p>Each tracked child gets a pidfd. One platform daemon thread, {@code socketserver-reaper},
 * {@code poll}s all of them plus an eventfd (for new children and {@link #close()}), and reaps a
 * child with {@code waitid(P_PIDFD)} as soon as its pidfd turns readable. Reaping completes the
 * child's future with its {@link Exit}; dependent actions attached without {@code Async} run in
 * the reaper thread and must be quick.
 *
 * <p>Signals go to the child's process group when the child leads one (as every child of
 * {@link Spawner} does), so a shell's own children are stopped with it. A signal is only sent
 * under the same lock the reaper takes to reap, so it can never reach a recycled pid.
 *
 * <p>{@link #close()} takes no new children; the thread goes on reaping those still running and
 * ends when the last one is reaped. To stop them, call {@link #terminateAll(Duration)} first.
 */
public final class ChildReaper implements AutoCloseable {
    /** Asks a child to stop. */
    public static final int SIGTERM = LibCProcesses.SIGTERM;
    /** Stops a child at once. */
    public static final int SIGKILL = LibCProcesses.SIGKILL;

    private static final System.Logger LOG = System.getLogger(Loggers.PROCESSES);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    /**
     * How a child ended. {@code exitCode} is its exit status (0 to 255) when it exited, else -1;
     * {@code signal} the signal that killed it, else 0. Both are -1 and 0 when the status was
     * taken by someone else (the JVM's {@code SIGCHLD} set to ignore).
     */
    public record Exit(int pid, int exitCode, int signal, boolean coreDumped, Duration runTime) {
        /** Whether it exited with status 0. */
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** {@code pid 42 exited with status 3 after 15 ms}, {@code pid 42 was killed by SIGTERM after 2000 ms}. */
        @Override
        public String toString() {
            String after = " after " + runTime.toMillis() + " ms";
            if (signal != 0) {
                return "pid " + pid + " was killed by " + signalName(signal) + (coreDumped ? " (core dumped)" : "") + after;
            }
            if (exitCode < 0) {
                return "pid " + pid + " ended" + after + "; its exit status was taken elsewhere";
            }
            return "pid " + pid + " exited with status " + exitCode + after;
        }
    }

    /** A tracked child. Its pidfd is closed only by the reaper thread, after the child is reaped. */
    private record Child(int pid, int pidfd, boolean groupLeader, long startNanos, CompletableFuture<Exit> exit) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Integer, Child> children = new HashMap<>();   // guarded by lock: the unreaped children
    private final int wakeFd;                                        // closed by the thread as it ends, under lock
    private final Thread thread;
    private boolean closed;                                          // guarded by lock
    private boolean ended;                                           // guarded by lock: the thread is gone, wakeFd closed

    /** Starts the reaper thread. */
    public ChildReaper() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            wakeFd = LibC.eventfd(state, 0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
            if (wakeFd < 0) {
                throw LibC.error("eventfd", "", LibC.errno(state));
            }
        }
        thread = Thread.ofPlatform().name("socketserver-reaper").daemon(true).unstarted(this::run);
        thread.start();
    }

    /**
     * Starts tracking a child of this process, such as a pid from {@link Spawner}. The child may
     * already have exited; it is reaped all the same. Its run time is counted from this call.
     *
     * @return completes with the child's exit once it is reaped; never completes exceptionally
     * @throws IllegalStateException if the reaper is closed; the child has then been killed and reaped
     * @throws IOException if the kernel gives no pidfd (the child has then been killed and reaped)
     */
    public CompletableFuture<Exit> track(int pid) throws IOException {
        long start = System.nanoTime();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            int pidfd = LibCProcesses.pidfdOpen(state, pid);
            if (pidfd < 0) {
                int errno = LibC.errno(state);
                killAndReap(state, arena, pid);
                throw LibC.error("pidfd_open", "pid " + pid + (errno == Errno.ENOSYS ? " (Linux 5.3 or later is needed)" : ""), errno);
            }
            boolean leader = LibCProcesses.getpgid(state, pid) == pid;
            Child child = new Child(pid, pidfd, leader, start, new CompletableFuture<>());
            lock.lock();
            try {
                if (!closed) {
                    children.put(pid, child);
                    LibC.eventfdWrite(state, wakeFd, 1);
                    return child.exit();
                }
            } finally {
                lock.unlock();
            }
            LibC.close(state, pidfd);
            killAndReap(state, arena, pid);
            throw new IllegalStateException("the child reaper is closed; child " + pid + " was killed");
        }
    }

    private static void killAndReap(MemorySegment state, Arena arena, int pid) {
        LibCProcesses.kill(state, pid, LibCProcesses.SIGKILL);
        MemorySegment siginfo = arena.allocate(LibCProcesses.SIGINFO_SIZE, 8);
        while (LibCProcesses.waitid(state, LibCProcesses.P_PID, pid, siginfo, LibCProcesses.WEXITED) != 0
                && LibC.errno(state) == Errno.EINTR) {
            // retry
        }
    }

    /** How many tracked children have not been reaped yet. */
    public int liveCount() {
        lock.lock();
        try {
            return children.size();
        } finally {
            lock.unlock();
        }
    }

    /** The pids of the tracked children not reaped yet. */
    public Set<Integer> livePids() {
        lock.lock();
        try {
            return new TreeSet<>(children.keySet());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends {@code signal} to a tracked child (to its process group if it leads one).
     *
     * @return false if the child is no longer tracked (it was reaped)
     */
    public boolean signal(int pid, int signal) {
        lock.lock();
        try (Arena arena = Arena.ofConfined()) {
            Child child = children.get(pid);
            if (child == null) {
                return false;
            }
            send(LibC.newCallState(arena), child, signal);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends {@code signal} to every tracked child (to the process group of each that leads one),
     * such as {@code SIGTERM} when a drain begins.
     *
     * @return how many children were signalled
     */
    public int signalAll(int signal) {
        lock.lock();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            for (Child child : children.values()) {
                send(state, child, signal);
            }
            return children.size();
        } finally {
            lock.unlock();
        }
    }

    /** Called holding the lock, for a child not yet reaped: its pid (and process group id) cannot have been reused. */
    private static void send(MemorySegment state, Child child, int signal) {
        if (child.groupLeader() && LibCProcesses.kill(state, -child.pid(), signal) == 0) {
            return;
        }
        LibCProcesses.kill(state, child.pid(), signal);
    }

    /**
     * Stops every tracked child: {@code SIGTERM} now, {@code SIGKILL} to those still running when
     * {@code deadline} has passed, and returns once all are reaped (waiting at most a few more
     * seconds after the {@code SIGKILL}, for a child stuck in the kernel). A deadline for the whole
     * stop, counted from the call. Children tracked during the call are not signalled.
     *
     * @return whether every child ended before the deadline, without {@code SIGKILL}
     */
    public boolean terminateAll(Duration deadline) {
        long end = System.nanoTime() + Math.max(0, deadline.toNanos());
        signalAll(LibCProcesses.SIGTERM);
        return awaitAllOrKill(end);
    }

    /**
     * Waits until {@code deadlineNanos} (a {@link System#nanoTime()} value) for every tracked
     * child to end, then sends {@code SIGKILL} to those still running and returns once they are
     * reaped (waiting at most a few more seconds). Sends no other signal: for children already
     * asked to stop.
     *
     * @return whether every child ended before the deadline, without {@code SIGKILL}
     */
    public boolean awaitAllOrKill(long deadlineNanos) {
        List<Child> targets;
        lock.lock();
        try {
            targets = new ArrayList<>(children.values());
        } finally {
            lock.unlock();
        }
        if (awaitAll(targets, deadlineNanos)) {
            return true;
        }
        lock.lock();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            for (Child child : targets) {
                if (children.get(child.pid()) == child) {
                    send(state, child, LibCProcesses.SIGKILL);
                }
            }
        } finally {
            lock.unlock();
        }
        awaitAll(targets, System.nanoTime() + KILL_WAIT.toNanos());
        return false;
    }

    private static boolean awaitAll(List<Child> targets, long deadlineNanos) {
        CompletableFuture<?> all = CompletableFuture.allOf(targets.stream().map(Child::exit).toArray(CompletableFuture[]::new));
        try {
            all.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new AssertionError(e);   // exits never complete exceptionally
        }
    }

    /**
     * Takes no new children. The reaper thread ends once every tracked child has been reaped: at
     * once if there are none. Does not signal the children. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try (Arena arena = Arena.ofConfined()) {
            if (!closed) {
                closed = true;
                if (!ended) {
                    LibC.eventfdWrite(LibC.newCallState(arena), wakeFd, 1);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether the reaper thread has ended: closed, and every child reaped. */
    public boolean isTerminated() {
        return !thread.isAlive();
    }

    // ---- the reaper thread ---------------------------------------------------------------------

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            MemorySegment siginfo = arena.allocate(LibCProcesses.SIGINFO_SIZE, 8);
            MemorySegment wakeValue = arena.allocate(ValueLayout.JAVA_LONG);
            PollFdArray pollFds = new PollFdArray(arena, 16);
            while (true) {
                Child[] watched;
                lock.lock();
                try {
                    if (closed && children.isEmpty()) {
                        ended = true;
                        LibC.close(state, wakeFd);
                        return;
                    }
                    watched = children.values().toArray(Child[]::new);
                } finally {
                    lock.unlock();
                }
                pollFds.ensureCapacity(watched.length + 1L);
                pollFds.set(0, wakeFd);
                for (int i = 0; i < watched.length; i++) {
                    pollFds.set(i + 1, watched[i].pidfd());
                }
                int ready = pollFds.poll(state, watched.length + 1L, -1);
                if (ready < 0) {
                    int errno = LibC.errno(state);
                    if (errno != Errno.EINTR) {
                        LOG.log(Level.ERROR, "the child reaper's poll failed, retrying: " + LibC.error("poll", "", errno).getMessage());
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));   // a back-off, not a wait for a condition
                    }
                    continue;
                }
                if (pollFds.revents(0) != 0) {
                    LibC.eventfdRead(state, wakeFd, wakeValue);
                }
                for (int i = 0; i < watched.length; i++) {
                    if (pollFds.revents(i + 1) != 0) {
                        reap(state, siginfo, watched[i]);
                    }
                }
            }
        }
    }

    /** Reaps a child whose pidfd turned readable, and completes its future. */
    private void reap(MemorySegment state, MemorySegment siginfo, Child child) {
        Exit exit;
        lock.lock();
        try {
            siginfo.fill((byte) 0);
            if (LibCProcesses.waitid(state, LibCProcesses.P_PIDFD, child.pidfd(), siginfo,
                    LibCProcesses.WEXITED | LibCProcesses.WNOHANG) != 0) {
                int errno = LibC.errno(state);
                if (errno == Errno.EINTR) {
                    return;   // the pidfd stays readable; the next poll comes back here
                }
                // ECHILD: reaped elsewhere (SIGCHLD ignored); anything else would repeat forever, so give up on the status
                if (errno != Errno.ECHILD) {
                    LOG.log(Level.WARNING, "waitid for child " + child.pid() + " failed: " + LibC.error("waitid", "", errno).getMessage());
                }
                exit = new Exit(child.pid(), -1, 0, false, Duration.ofNanos(System.nanoTime() - child.startNanos()));
            } else if (!WaitidSiginfo.reportsChild(siginfo)) {
                return;   // not exited after all
            } else {
                exit = WaitidSiginfo.exit(siginfo, child.pid(), Duration.ofNanos(System.nanoTime() - child.startNanos()));
            }
            children.remove(child.pid());
            LibC.close(state, child.pidfd());
        } finally {
            lock.unlock();
        }
        try {
            child.exit().complete(exit);
        } catch (RuntimeException | Error e) {
            // a dependent action failed in this thread; it must not stop the reaping of others
            LOG.log(Level.WARNING, "an action run on the exit of child " + child.pid() + " failed", e);
        }
    }

    /** {@code SIGTERM} for 15; {@code signal 40} for a number without a name here. */
    public static String signalName(int signal) {
        return SignalNames.name(signal);
    }

    @Override
    public String toString() {
        return "ChildReaper[" + liveCount() + " children" + (isTerminated() ? ", terminated" : "") + "]";
    }
}
