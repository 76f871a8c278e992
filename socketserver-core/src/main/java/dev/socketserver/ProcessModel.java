package dev.socketserver;

import dev.socketserver.internal.RequestRunner;
import dev.socketserver.internal.WorkerProcess;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A concurrency model that runs requests in other processes: a process per connection, or worker
 * processes sharing the listening socket. Only stream servers ({@link TcpServer},
 * {@link UnixStreamServer}) take one; a datagram server's constructor does not accept this type.
 * Made by the factories of {@link Concurrency}.
 */
public final class ProcessModel implements Concurrency {
    private final List<String> command;          // a process per connection: its command; empty for workers
    private final int maxChildren;               // a process per connection only
    private final Map<String, String> environment;   // a process per connection only: null inherits the server's
    private final int workers;                   // worker processes only: how many; 0 for a process per connection
    private final ThreadModel inner;             // worker processes only: the model inside each worker
    private final Duration workerTimeout;        // worker processes only

    private ProcessModel(List<String> command, int maxChildren, Map<String, String> environment, int workers, ThreadModel inner,
                         Duration workerTimeout) {
        this.command = command;
        this.maxChildren = maxChildren;
        this.environment = environment;
        this.workers = workers;
        this.inner = inner;
        this.workerTimeout = workerTimeout;
    }

    static ProcessModel perConnection(List<String> command, int maxChildren, Map<String, String> environment) {
        if (command == null || command.isEmpty()) {
            throw new IllegalArgumentException("a process per connection needs a command to run, such as List.of(\"cat\")");
        }
        if (maxChildren < 1) {
            throw new IllegalArgumentException("max children must be at least 1, got " + maxChildren);
        }
        Map<String, String> base = null;
        if (environment != null) {
            environment.forEach(ProcessModel::checkVariable);
            base = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        }
        return new ProcessModel(List.copyOf(command), maxChildren, base, 0, null, null);
    }

    static ProcessModel workers(int workers, ThreadModel inner, Duration workerTimeout) {
        Objects.requireNonNull(inner, "inner");
        Objects.requireNonNull(workerTimeout, "workerTimeout");
        if (workerTimeout.isNegative() || workerTimeout.isZero()) {
            throw new IllegalArgumentException("the worker timeout must be positive, got " + workerTimeout);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("worker processes need at least 1 worker, got " + workers);
        }
        return new ProcessModel(List.of(), 0, null, workers, inner, workerTimeout);
    }

    private static void checkVariable(String name, String value) {
        if (name == null || name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("environment variable name must be non-empty, without '=' or NUL: \"" + name + "\"");
        }
        if (value == null || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("value of environment variable " + name + " must be non-null and without NUL");
        }
    }

    boolean isProcessPerConnection() {
        return workers == 0;
    }

    /** The command of a process per connection. */
    List<String> command() {
        return command;
    }

    /** The base environment of each child of a process per connection: the given one, or the server's. */
    Map<String, String> childEnvironment() {
        return environment != null ? environment : System.getenv();
    }

    /** How many workers {@link Concurrency#workerProcesses} starts; 0 for a process per connection. */
    int workers() {
        return workers;
    }

    /** How long a worker may stand still before it is replaced. */
    Duration workerTimeout() {
        return workerTimeout;
    }

    /** Whether {@code close()} waits for running requests: as the inner model of workers says. */
    boolean blockOnClose() {
        return !isProcessPerConnection() && inner.blockOnClose();
    }

    RequestRunner newRunner() {
        if (isProcessPerConnection()) {
            return RequestRunner.detached(maxChildren);
        }
        // the supervisor runs no request: its runner stays unused
        return WorkerProcess.isWorker() ? inner.newRunner() : RequestRunner.detached(1);
    }

    /** The model as the command line writes it: {@code processes:N [command]} or {@code workers:N}. */
    @Override
    public String toString() {
        if (isProcessPerConnection()) {
            return "processes:" + maxChildren + " " + command;
        }
        return "workers:" + workers + (inner.isVirtualThreads() ? "" : " of " + inner)
                + (workerTimeout.equals(DEFAULT_WORKER_TIMEOUT) ? "" : " (timeout " + workerTimeout.toMillis() + " ms)");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProcessModel p && p.command.equals(command) && p.maxChildren == maxChildren
                && Objects.equals(p.environment, environment) && p.workers == workers && Objects.equals(p.inner, inner)
                && Objects.equals(p.workerTimeout, workerTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(command, maxChildren, workers, inner, workerTimeout);
    }
}
