package dev.socketserver.internal;

import dev.socketserver.Concurrency;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.util.Optional;

/**
 * The worker's side of {@link Concurrency#workerProcesses}: whether this JVM is a worker, the
 * listening socket it inherited on standard input, and the supervisor it should outlive only
 * briefly.
 */
public final class WorkerProcess {
    /** Holds the supervisor's pid in a worker's environment. */
    public static final String SUPERVISOR_VARIABLE = "SOCKETSERVER_SUPERVISOR";

    private static final String NUMBER = System.getenv(Concurrency.WORKER_ENVIRONMENT_VARIABLE);

    private WorkerProcess() {
    }

    /** Whether this JVM was started as a worker by a supervisor. */
    public static boolean isWorker() {
        return NUMBER != null;
    }

    /** This worker's number, from 1, or 0 outside a worker. */
    public static int number() {
        try {
            return NUMBER == null ? 0 : Integer.parseInt(NUMBER);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The listening socket the supervisor handed over on standard input.
     *
     * @param scheme {@code tcp} or {@code unix}: the kind of socket the server expects
     * @throws IOException if standard input is not a listening socket of that kind, which means
     *     the variable was set by hand or the program was started some other way
     */
    public static ServerSocketChannel inheritedListener(String scheme) throws IOException {
        Channel inherited = System.inheritedChannel();
        String variable = Concurrency.WORKER_ENVIRONMENT_VARIABLE + "=" + NUMBER;
        if (!(inherited instanceof ServerSocketChannel listener)) {
            throw new IOException("this process is a worker (" + variable + ") but its standard input is not a listening socket (got "
                    + inherited + "); workers are started by a server built with Concurrency.workerProcesses, so unset " + variable);
        }
        SocketAddress local = listener.getLocalAddress();
        boolean matches = scheme.equals("unix") ? local instanceof UnixDomainSocketAddress : local instanceof InetSocketAddress;
        if (!matches) {
            throw new IOException("this process is a worker (" + variable + ") for a " + scheme + " server, but the listening socket it inherited is "
                    + Addresses.format(local));
        }
        return listener;
    }

    /** Runs {@code action} once the supervisor that started this worker has exited (never outside a worker). */
    public static void onSupervisorExit(Runnable action) {
        String pid = System.getenv(SUPERVISOR_VARIABLE);
        if (pid == null) {
            return;
        }
        Optional<ProcessHandle> supervisor;
        try {
            supervisor = ProcessHandle.of(Long.parseLong(pid));
        } catch (NumberFormatException e) {
            return;
        }
        if (supervisor.isEmpty()) {
            Thread.ofVirtual().name("socketserver-orphaned").start(action);
            return;
        }
        supervisor.get().onExit().thenRunAsync(action, task -> Thread.ofVirtual().name("socketserver-orphaned").start(task));
    }
}
