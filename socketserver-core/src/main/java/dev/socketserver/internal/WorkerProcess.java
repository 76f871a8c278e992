package dev.socketserver.internal;

import dev.socketserver.internal.linux.SupervisorLink;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CompletableFuture;

/**
 * The worker's side of {@code Concurrency.workerProcesses}: whether this JVM is a worker, the
 * listening socket it inherited on standard input, and the supervisor it should outlive only
 * briefly.
 */
public final class WorkerProcess {
    /** Holds, in a worker's environment, the descriptor of the pipe whose end-of-file means that the supervisor is gone. */
    public static final String SUPERVISOR_FD_VARIABLE = "SOCKETSERVER_SUPERVISOR_FD";

    private static final System.Logger LOG = System.getLogger(Loggers.WORKERS);

    /** Marks a worker: its value is the worker's number, from 1. Public as {@code Concurrency.WORKER_ENVIRONMENT_VARIABLE}. */
    public static final String NUMBER_VARIABLE = "SOCKETSERVER_WORKER";

    private static final String NUMBER = System.getenv(NUMBER_VARIABLE);

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
        String variable = NUMBER_VARIABLE + "=" + NUMBER;
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

    /**
     * Runs {@code action}, in a new platform thread that is not a daemon (so the JVM does not exit
     * in the middle of it when {@code main} returns), once the supervisor that started this worker
     * has exited; never outside a worker. The supervisor is watched through the pipe it handed
     * over ({@link SupervisorLink}): a blocked read that needs no descriptor, so running out of
     * them is not taken for a death, and that returns the moment the supervisor is gone. A pipe
     * that cannot be read is logged, and the worker serves on.
     */
    public static void onSupervisorExit(Runnable action) {
        CompletableFuture<Void> gone = supervisorGone();
        if (gone != null) {
            gone.thenRun(() -> Thread.ofPlatform().daemon(false).name("socketserver-orphaned").start(action));
        }
    }

    private static CompletableFuture<Void> supervisorGone;   // guarded by WorkerProcess.class

    /** Completes when the supervisor is gone; null outside a worker or without the pipe. */
    private static synchronized CompletableFuture<Void> supervisorGone() {
        if (supervisorGone != null) {
            return supervisorGone;
        }
        String variable = System.getenv(SUPERVISOR_FD_VARIABLE);
        if (NUMBER == null || variable == null) {
            return null;
        }
        int fd;
        try {
            fd = Integer.parseInt(variable);
        } catch (NumberFormatException e) {
            LOG.log(Level.WARNING, SUPERVISOR_FD_VARIABLE + "=" + variable + " is not a descriptor; this worker will not see its supervisor exit");
            return null;
        }
        CompletableFuture<Void> gone = new CompletableFuture<>();
        // a platform thread: the wait blocks in native code, which would pin a virtual thread's carrier
        Thread.ofPlatform().daemon().name("socketserver-supervisor-watch").start(() -> {
            try {
                SupervisorLink.awaitSupervisorExit(fd);
                gone.complete(null);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "worker " + number() + " cannot watch its supervisor (" + e.getMessage()
                        + "); it serves on, and will not notice if the supervisor dies");
            }
        });
        supervisorGone = gone;
        return gone;
    }
}
