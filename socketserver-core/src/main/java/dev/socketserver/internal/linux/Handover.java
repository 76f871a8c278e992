package dev.socketserver.internal.linux;

import dev.socketserver.internal.WorkerHeartbeat;
import dev.socketserver.internal.WorkerProcess;

import dev.socketserver.UnixAddress;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A single-process server's reload (nginx's binary upgrade, Go's tableflip): the server starts its
 * successor, the same command line, with its listening socket, and waits for the successor to say
 * that it serves; only then does the caller drain the old server.
 *
 * <p>The socket goes over as systemd passes one: descriptor 3 and on, {@code LISTEN_FDS} and
 * {@code LISTEN_FDNAMES}, so the successor adopts it through {@link InheritedSockets} whatever its
 * kind, family and concurrency model (its {@code --listen systemd:NAME} finds the name too). Only
 * {@code LISTEN_PID} differs: it must be the child's pid, which a spawner cannot know before the
 * spawn ({@code posix_spawn} sets no variable after the fork), so the parent names itself in
 * {@link InheritedSockets#HANDOVER_PARENT_PID} and the child checks that it is its parent; a
 * grandchild, or a program that reads only {@code LISTEN_PID} ({@code sd_listen_fds}), takes
 * nothing. The successor is told it is ready to serve through a pipe, descriptor
 * {@code 3 + sockets}, named in {@link #READY_FD_VARIABLE}: it writes one byte once it serves
 * ({@link #signalReady()}); end of file without the byte means that it exited first.
 *
 * <p>The successor stays in this process's process group (Ctrl-C in a terminal reaches it), and it
 * inherits this process's standard input, output and error, so its {@code listening on} line goes
 * where this one's went.
 */
public final class Handover {
    /** Holds, in a successor's environment, the descriptor it writes one byte to once it serves. */
    public static final String READY_FD_VARIABLE = "SOCKETSERVER_READY_FD";
    private static final int LOWEST_FD = 10;
    /** How long a successor that said nothing is given to exit once its pipe closed or it was killed. */
    private static final Duration EXIT_WAIT = Duration.ofSeconds(5);

    private static boolean readySignalled;   // guarded by Handover.class
    private static final Set<Path> handedOverFiles = ConcurrentHashMap.newKeySet();

    private Handover() {
    }

    /** How a successor's start ended: ready, with its pid, or not, with why in one phrase. */
    public record Outcome(boolean ready, int pid, String failure) {
    }

    /**
     * The descriptors of this process's sockets bound at {@code address} that are listening
     * (stream) or bound (datagram), not connections: the sockets of the server at that address.
     */
    public static List<Integer> socketsAt(SocketAddress address) throws IOException {
        List<Integer> found = new ArrayList<>();
        for (int fd : SocketDescriptors.ownSockets()) {
            InheritedSockets.Inherited socket = InheritedSockets.describe(fd, "");
            boolean serving = switch (socket.kind()) {
                case TCP, UDP, UNIX_STREAM, UNIX_DATAGRAM -> true;
                case CONNECTION, OTHER -> false;
            };
            if (serving && InheritedSockets.sameEndpoint(address, socket.address())) {
                found.add(fd);
            }
        }
        return found;
    }

    /**
     * Starts {@code command} with the sockets of the server at {@code address}, under the name
     * systemd gave them if they came from systemd, and waits up to {@code readyTimeout} for it to say it serves. A
     * successor that is not ready in time is killed ({@code SIGKILL}: it has said nothing, so it
     * is not known to serve anyone) and reaped; one that exits is reaped.
     */
    public static Outcome startSuccessor(List<String> command, SocketAddress address, Duration readyTimeout) throws IOException {
        List<Integer> fds = socketsAt(address);
        if (fds.isEmpty()) {
            throw new IOException("no open socket at " + address + " to hand over");
        }
        // the name systemd gave it, if it came from systemd (or from a predecessor), so that systemd:NAME finds it again
        String name = InheritedSockets.all().stream().filter(socket -> InheritedSockets.sameEndpoint(address, socket.address()))
                .map(InheritedSockets.Inherited::name).findFirst().orElse("unknown");
        List<Integer> copies = new ArrayList<>();
        int readFd = -1;
        int writeFd = -1;
        int pid;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            for (int fd : fds) {
                int copy = LibC.fcntl(state, fd, LibC.F_DUPFD_CLOEXEC, LOWEST_FD + fds.size());
                if (copy < 0) {
                    throw LibC.error("fcntl F_DUPFD_CLOEXEC", "descriptor " + fd, LibC.errno(state));
                }
                copies.add(copy);
            }
            MemorySegment pipe = arena.allocate(ValueLayout.JAVA_INT, 2);
            if (LibC.pipe2(state, pipe, LibC.O_CLOEXEC) != 0) {
                throw LibC.error("pipe2", "for the successor's readiness", LibC.errno(state));
            }
            readFd = pipe.getAtIndex(ValueLayout.JAVA_INT, 0);
            int rawWrite = pipe.getAtIndex(ValueLayout.JAVA_INT, 1);
            writeFd = LibC.fcntl(state, rawWrite, LibC.F_DUPFD_CLOEXEC, LOWEST_FD + fds.size());
            int errno = LibC.errno(state);
            LibC.close(state, rawWrite);
            if (writeFd < 0) {
                throw LibC.error("fcntl F_DUPFD_CLOEXEC", "the successor's readiness pipe", errno);
            }
            List<Integer> inherited = new ArrayList<>(copies);
            inherited.add(writeFd);
            pid = Spawner.spawnInSameGroup(command, environment(fds.size(), name), inherited);
        } finally {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = LibC.newCallState(arena);
                for (int copy : copies) {
                    LibC.close(state, copy);
                }
                if (writeFd >= 0) {
                    LibC.close(state, writeFd);   // the successor holds the only write end now
                }
            }
        }
        try {
            Outcome outcome = awaitReady(pid, readFd, readyTimeout);
            if (outcome.ready()) {
                Path file = switch (address) {
                    case UnixDomainSocketAddress unix -> unix.getPath();
                    case UnixAddress unix when !unix.isAbstract() -> unix.path();
                    default -> null;
                };
                if (file != null) {
                    handedOverFiles.add(file.toAbsolutePath().normalize());
                }
            }
            return outcome;
        } finally {
            try (Arena arena = Arena.ofConfined()) {
                LibC.close(LibC.newCallState(arena), readFd);
            }
        }
    }

    /** Whether the socket file {@code file} now belongs to a successor, which serves it: the server closing here must leave it. */
    public static boolean handedOver(Path file) {
        return !handedOverFiles.isEmpty() && handedOverFiles.contains(file.toAbsolutePath().normalize());
    }

    private static Map<String, String> environment(int sockets, String name) {
        Map<String, String> environment = new LinkedHashMap<>(System.getenv());
        // this JVM's environment as it started: the variables it was handed are not the successor's
        environment.keySet().removeAll(List.of(InheritedSockets.LISTEN_PID, WorkerProcess.NUMBER_VARIABLE,
                WorkerProcess.SUPERVISOR_FD_VARIABLE, WorkerHeartbeat.FD_VARIABLE));
        environment.put(InheritedSockets.LISTEN_FDS, Integer.toString(sockets));
        environment.put(InheritedSockets.LISTEN_FDNAMES, String.join(":", Collections.nCopies(sockets, name)));
        environment.put(InheritedSockets.HANDOVER_PARENT_PID, Long.toString(ProcessHandle.current().pid()));
        environment.put(READY_FD_VARIABLE, Integer.toString(3 + sockets));
        return environment;
    }

    private static Outcome awaitReady(int pid, int readFd, Duration readyTimeout) throws IOException {
        ChildReaper reaper = new ChildReaper();
        try {
            var exit = reaper.track(pid);
            long deadline = System.nanoTime() + readyTimeout.toNanos();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = LibC.newCallState(arena);
                MemorySegment pollfd = arena.allocate(LibC.POLLFD_SIZE, 8);
                MemorySegment buffer = arena.allocate(1);
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        reaper.signal(pid, ChildReaper.SIGKILL);
                        exitOrKill(reaper, pid, exit);
                        return new Outcome(false, pid, "pid " + pid + " did not report ready within " + readyTimeout.toMillis() + " ms; killed it");
                    }
                    pollfd.set(ValueLayout.JAVA_INT, 0, readFd);
                    pollfd.set(ValueLayout.JAVA_SHORT, 4, LibC.POLLIN);
                    pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                    int polled = LibC.poll(state, pollfd, 1, (int) Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 1000));
                    if (polled < 0 && LibC.errno(state) != Errno.EINTR) {
                        throw LibC.error("poll", "the successor's readiness pipe", LibC.errno(state));
                    }
                    if (polled <= 0) {
                        continue;
                    }
                    long n = LibC.read(state, readFd, buffer, 1);
                    if (n == 1) {
                        return new Outcome(true, pid, "");
                    }
                    if (n == 0) {
                        return new Outcome(false, pid, exitOrKill(reaper, pid, exit) + " before it was ready");
                    }
                    if (LibC.errno(state) != Errno.EINTR && LibC.errno(state) != Errno.EAGAIN) {
                        throw LibC.error("read", "the successor's readiness pipe", LibC.errno(state));
                    }
                }
            }
        } finally {
            reaper.close();   // a ready successor outlives this process; the reaper's thread is a daemon
        }
    }

    /** How the successor ended, waiting a little for it; killed if it closed the pipe yet runs on. */
    private static String exitOrKill(ChildReaper reaper, int pid, CompletableFuture<ChildReaper.Exit> exit) {
        try {
            return exit.get(EXIT_WAIT.toNanos(), TimeUnit.NANOSECONDS).toString();
        } catch (TimeoutException e) {
            reaper.signal(pid, ChildReaper.SIGKILL);
            return "pid " + pid + " closed its readiness pipe; killed it";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "pid " + pid + " ended";
        } catch (ExecutionException e) {
            return "pid " + pid + " ended";
        }
    }

    /**
     * In a successor: tells the predecessor that this process serves (once; nothing outside a
     * successor). Call when the server accepts, or is about to: the socket is shared, so a
     * connection that comes meanwhile waits in its backlog.
     */
    public static synchronized void signalReady() {
        String variable = System.getenv(READY_FD_VARIABLE);
        if (readySignalled || variable == null) {
            return;
        }
        readySignalled = true;
        int fd;
        try {
            fd = Integer.parseInt(variable);
        } catch (NumberFormatException e) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            if (LibC.fcntl(state, fd, LibC.F_GETFD, 0) < 0) {
                return;   // not open: this process was not started by a predecessor after all
            }
            MemorySegment one = arena.allocateFrom("1");
            LibC.write(state, fd, one, 1);
            LibC.close(state, fd);
            LibC.unsetenv(state, arena.allocateFrom(READY_FD_VARIABLE));
        }
    }
}
