package dev.socketserver;

import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.SpawnedConnection;
import dev.socketserver.internal.linux.ChildReaper;
import dev.socketserver.internal.linux.SocketDescriptors;
import dev.socketserver.internal.linux.Spawner;
import dev.socketserver.internal.linux.UcspiEnvironment;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A stream server's process per connection: accepts on the listener's descriptor, spawns the
 * command with each connection on its stdin and stdout, and reaps the children through a
 * {@link ChildReaper}. Part of {@link StreamServer}.
 *
 * <p>Threads: the serving thread accepts and spawns; the reaper's thread reports each child's
 * exit; the closing thread signals and terminates the children.
 */
final class ProcessPerConnection {
    private static final System.Logger PROCESS_LOG = System.getLogger(Loggers.PROCESSES);

    private final ProcessModel processes;
    private final int listenerFd;
    private final ChildReaper children;

    private ProcessPerConnection(ProcessModel processes, int listenerFd, ChildReaper children) {
        this.processes = processes;
        this.listenerFd = listenerFd;
        this.children = children;
    }

    /** Accepts on {@code listener}'s descriptor from now on, spawns what {@code processes} says, and reaps the children. */
    static ProcessPerConnection open(ServerSocketChannel listener, ProcessModel processes) throws IOException {
        int fd = SocketDescriptors.fdOf(listener);
        return new ProcessPerConnection(processes, fd, new ChildReaper());
    }

    /** Takes one connection without waiting, or null if none is ready. */
    Connection accept() throws IOException {
        SocketDescriptors.Accepted accepted = SocketDescriptors.accept(listenerFd);
        return accepted == null ? null : new SpawnedConnection(accepted);
    }

    /** Ends a connection handed to a child by killing the child; false if no child has it, so the caller closes it. */
    boolean kill(Connection request) {
        if (request instanceof SpawnedConnection spawned && spawned.pid() != 0) {
            children.signal(spawned.pid(), ChildReaper.SIGKILL);
            return true;
        }
        return false;
    }

    /**
     * Spawns the command with the connection on its stdin and stdout, and calls {@code ended} when
     * the child exits; an exit is expected if the child succeeded or {@code closed} says the server is closed.
     */
    void spawn(Connection request, SocketAddress clientAddress, BooleanSupplier closed, Consumer<Connection> ended) throws IOException {
        SpawnedConnection connection = (SpawnedConnection) request;
        int pid;
        try {
            pid = Spawner.spawn(processes.command(), UcspiEnvironment.forConnection(processes.childEnvironment(), connection.accepted()),
                    connection.accepted().fd());
        } finally {
            connection.close();   // the child has its own copy now, or there is no child
        }
        connection.handedTo(pid);
        children.track(pid).whenComplete((exit, failure) -> {
            if (exit != null) {
                boolean expected = exit.succeeded() || closed.getAsBoolean();
                PROCESS_LOG.log(expected ? Level.DEBUG : Level.WARNING, () -> "child for " + Addresses.format(clientAddress) + ": " + exit);
            }
            ended.accept(request);
        });
    }

    /** Sends every child {@code SIGTERM}: the server is closing. */
    void signalClose() {
        children.signalAll(ChildReaper.SIGTERM);
    }

    /** Gives the children until {@code deadlineNanos} to exit, kills the rest, and stops the reaper; whether they exited in time. */
    boolean terminate(long deadlineNanos) {
        boolean inTime = children.terminateAll(Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())));
        children.close();
        return inTime;
    }
}
